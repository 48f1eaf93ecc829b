// The command line parses a few files on the main thread and hands larger inputs to the pool.
import { describe, expect, it } from "vitest";
import { smallInputParser } from "../../src/cli/small-input-parser.js";

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe("smallInputParser", () => {
  it("parses small inputs in-process, with line positions and findings as the pool gives them", async () => {
    const loaded = await smallInputParser().parse([
      { path: "a.yaml", content: `${configMap("a")}---\n${configMap("b")}` },
      { path: "bad.yaml", content: "kind: [" },
    ]);
    expect(loaded.objects.map(({ object, position }) => `${object.metadata.name}@${position.file}:${position.line}`)).toEqual(["a@a.yaml:1", "b@a.yaml:6"]);
    expect(loaded.findings.map((finding) => finding.position?.file)).toEqual(["bad.yaml"]);
  });

  it("keeps the parse budget in-process", async () => {
    const loaded = await smallInputParser().parse([{ path: "a.yaml", content: configMap("a") }], { budget: { maxTotalBytes: 10 } });
    expect(loaded.objects).toEqual([]);
    expect(loaded.findings).toHaveLength(1);
  });
});
