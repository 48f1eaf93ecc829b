// Slipway finds duplicate keys itself, in linear time, in place of the yaml package's quadratic
// check: the same keys must count as duplicates, at the same places.
import { Composer, Parser } from "yaml";
import { describe, expect, it } from "vitest";
import { duplicateKeyErrors } from "../../src/manifests/duplicate-keys.js";
import { readYamlDocuments } from "../../src/manifests/yaml-documents.js";
import { lines, objectLines } from "./yaml-text.js";

function positions(text: string, check: "library" | "slipway"): number[][] {
  const composer = new Composer({ version: "1.1", uniqueKeys: check === "library" });
  return [...composer.compose(new Parser().parse(text))].map((doc) =>
    (check === "library" ? doc.errors.filter((error) => error.code === "DUPLICATE_KEY") : duplicateKeyErrors(doc)).map((error) => error.pos[0]),
  );
}

describe("duplicateKeyErrors", () => {
  it.each([
    "a: 1\nb: 2\na: 3\na: 4\n",
    "{a: 1, b: 2, a: 3}\n",
    "&x a: 1\n!!str a: 2\n",
    "1: a\n'1': b\n1: c\n",
    "true: 1\nyes: 2\non: 3\n",
    "? [a]\n: 1\n? [a]\n: 2\n",
    ".nan: 1\n.nan: 2\n",
    "base: &b {a: 1}\nm:\n  <<: *b\n  <<: {c: 2}\n",
    "a:\n  b: 1\n  b: 2\nb: 3\n",
    "~: 1\nnull: 2\n: 3\n",
    "- {x: 1, x: 2}\n- x: 1\n  x: 2\n",
    "a: 1\n---\na: 1\na: 2\n",
    '"quoted": 1\nquoted: 2\n',
    "0x10: a\n16: b\n",
  ])("finds what the yaml package finds, where it does, in %j", (text) => {
    expect(positions(text, "slipway")).toEqual(positions(text, "library"));
  });

  // With the library's check, composing 100,000 keys took 116 s on a 2-core machine (25,000: 6 s);
  // without it, 0.3 s. What remains is the parser's own time, about 1 MiB/s on lines this short.
  it("reads a mapping of 100,000 keys (a file of about 1 MiB) in seconds, not minutes", () => {
    const keys = Array.from({ length: 100_000 }, (_, index) => `  k${index}: 1`);
    const text = lines(...objectLines({ name: "many" }), "data:", keys.join("\n"));
    expect(text.length).toBeLessThan(1.3 * 1024 * 1024);
    const started = performance.now();
    const { documents, findings } = readYamlDocuments({ path: "x.yaml", text, maxDocuments: 1, maxAliasCount: 100 });
    const elapsed = performance.now() - started;
    expect(findings).toEqual([]);
    expect(Object.keys((documents[0]?.value as { data: object }).data)).toHaveLength(100_000);
    expect(elapsed).toBeLessThan(15_000);
  });

  it("names the whole duplicate key in the finding", () => {
    const { findings } = readYamlDocuments({ path: "x.yaml", text: lines(...objectLines({ name: "dup" }), "  name: again"), maxDocuments: 1, maxAliasCount: 100 });
    expect(findings).toMatchObject([{ code: "yaml-duplicate-key", position: { line: 5, column: 3 }, message: expect.stringContaining('duplicate key "name"') }]);
  });
});
