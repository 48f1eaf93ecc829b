// The built command line, as `npm run build` bundles it and `npx slipway` runs it: the parse worker
// must be found next to the bundled pool (lib/bin/parse-worker.js, no tsx) when the input is too
// large to parse in-process, and the command must exit when its plan is done. Built into a
// directory of its own, so lib/ is left alone.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useCompiledCli } from "../support/compiled-cli.js";

const run = useCompiledCli();
const slipway = (...args: string[]) => run(args);

describe("the compiled command line", () => {
  it("plans a fixture offline and exits", async () => {
    const planned = await slipway("plan", "--offline", "fixtures/manifests/app.yaml");
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(1);
    expect(planned.stdout).toContain("3 to create");
    expect(planned.stdout).toContain("+ Deployment/default/web will be created (fixtures/manifests/app.yaml:2)");
  });

  it("parses manifests too large to parse in-process in lib/bin/parse-worker.js, and exits", async () => {
    // Over inProcessParseBytes (src/cli/small-input-parser.ts): the command hands them to the parse pool.
    const dir = mkdtempSync(join(tmpdir(), "slipway-large-"));
    // 10 files of 30 ConfigMaps, each after a 16 KiB comment: 4.8 MiB, each file under the 1 MiB
    // a file may have, and a plan small enough to print.
    const padding = `# ${"x".repeat(16 * 1024)}\n`;
    const documents = Array.from({ length: 300 }, (_, index) => `${padding}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${index}\n`);
    for (let file = 0; file < 10; file += 1) writeFileSync(join(dir, `many-${file}.yaml`), documents.slice(file * 30, file * 30 + 30).join("---\n"));
    const planned = await slipway("plan", "--offline", "--output", "json", dir);
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(1);
    const { plans } = JSON.parse(planned.stdout) as { plans: Array<{ objects: unknown[] }> };
    expect(plans[0]?.objects).toHaveLength(300);
  });

  it("reports what is wrong in a file, with its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-broken-"));
    writeFileSync(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n");
    const planned = await slipway("plan", "--offline", dir);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toMatch(/cm\.yaml:5.*duplicate key "name"/s);
  });
});
