import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifestFile } from "../../src/manifests/parse.js";
import type { ParseLimits } from "../../src/manifests/types.js";
import { lines, objectLines } from "./yaml-text.js";

const parse = (content: string | Buffer, limits?: Partial<ParseLimits>) =>
  parseManifestFile({ path: "deploy/app.yaml", content, ...(limits ? { limits } : {}) });
const configMap = (name: string) => objectLines({ name });
const fixture = (name: string) => readFileSync(`fixtures/manifests/${name}`);

/** A nested alias bomb: each level refers to the one before `width` times (width^depth values). */
function aliasBomb(depth: number, width: number): string {
  const levels = [`  l0: &l0 ["lol"]`];
  for (let level = 1; level < depth; level += 1) {
    const refs = Array.from({ length: width }, () => `*l${level - 1}`);
    levels.push(`  l${level}: &l${level} [${refs.join(", ")}]`);
  }
  return lines(...configMap("bomb"), "data:", ...levels);
}

/** The same with merge keys: each mapping merges the one before nine times. */
function mergeBomb(depth: number): string {
  const levels = [`  a0: &a0 {k: lol}`];
  for (let level = 1; level < depth; level += 1) {
    const refs = Array.from({ length: 9 }, () => `*a${level - 1}`);
    levels.push(`  a${level}: &a${level} {<<: [${refs.join(", ")}], k${level}: x}`);
  }
  return lines(...configMap("merge"), "data:", ...levels);
}

describe("parseManifestFile: findings on the right line", () => {
  it.each([
    {
      name: "a syntax error, with the documents around it still read",
      content: fixture("broken.yaml"),
      objects: ["before", "after"],
      finding: { code: "yaml-syntax", line: 12, column: 3, message: "the other documents in the file are still read" },
    },
    {
      name: "a duplicate key, on the duplicate's line",
      content: lines(...configMap("dup"), "data:", "  a: x", "  b: y", "  a: z"),
      finding: { code: "yaml-duplicate-key", line: 8, column: 3, message: 'duplicate key "a"' },
    },
    {
      name: "an unresolved alias",
      content: lines(...configMap("alias"), "data:", "  a: *nowhere"),
      finding: { code: "yaml-alias", line: 6, column: 6, message: "nowhere" },
    },
    {
      name: "a value JSON cannot hold",
      content: lines(...configMap("inf"), "spec:", "  ratio: .inf"),
      finding: { code: "non-json-value", line: 6, column: 3, message: "spec.ratio: Infinity" },
    },
    {
      name: "an alias that contains itself",
      content: lines(...configMap("loop"), "data:", "  a: &a [x, *a]"),
      finding: { code: "non-json-value", line: 6, column: 13, message: "data.a.1: an alias here refers to" },
    },
    {
      name: "a document that is a sequence",
      content: lines("- a", "- b"),
      finding: { code: "not-an-object", line: 1, column: 1, message: "is a sequence, not a Kubernetes object" },
    },
    {
      name: "a Helm values file",
      content: fixture("helm-values.yaml"),
      finding: { code: "not-kubernetes", line: 2, column: 1, message: "add it to the environment's `exclude` list" },
    },
    {
      name: "a kustomization.yaml",
      content: fixture("kustomization.yaml"),
      finding: { code: "not-kubernetes", line: 1, column: 1, message: "is a Kustomize file" },
    },
    {
      name: "a missing apiVersion, at the start of the document",
      content: lines("# a comment first", "kind: ConfigMap", "metadata:", "  name: x"),
      finding: { code: "invalid-type-meta", line: 2, column: 1, message: "apiVersion is missing" },
    },
    {
      name: "a kind that is not a string",
      content: lines("apiVersion: v1", "kind: [ConfigMap]", "metadata:", "  name: x"),
      finding: { code: "invalid-type-meta", line: 2, column: 1, message: "kind must be a non-empty string, not a sequence" },
    },
    {
      name: "a missing metadata.name, on the metadata line",
      content: lines("apiVersion: v1", "kind: ConfigMap", "metadata:", "  labels: {app: x}"),
      finding: { code: "invalid-name", line: 3, column: 1, message: "metadata.name is missing" },
    },
    {
      name: "a name that YAML 1.1 reads as a boolean",
      content: lines(...configMap("yes")),
      finding: { code: "invalid-name", line: 4, column: 3, message: "not a boolean (true); quote it" },
    },
    {
      name: "generateName instead of name",
      content: lines("apiVersion: batch/v1", "kind: Job", "metadata:", "  generateName: migrate-"),
      finding: { code: "invalid-name", line: 3, column: 1, message: "metadata.generateName is not supported" },
    },
    {
      name: "a label value that is a number",
      content: lines(...configMap("labels"), "  labels:", "    app: web", "    version: 1.0"),
      finding: { code: "invalid-metadata", line: 7, column: 5, message: "metadata.labels.version", object: "ConfigMap/labels" },
    },
  ])("reports $name", ({ content, objects = [], finding: { line, column, message, ...finding } }) => {
    const parsed = parse(content);
    expect(parsed.objects.map(({ object }) => object.metadata.name)).toEqual(objects);
    expect(parsed.findings).toEqual([
      {
        severity: "error",
        ...finding,
        message: expect.stringContaining(message) as unknown,
        position: { file: "deploy/app.yaml", line, column },
      },
    ]);
  });

  it("reports an unknown tag as a warning and still reads the object", () => {
    const parsed = parse(lines(...configMap("tagged"), "data:", "  a: !custom value"));
    expect(parsed.objects[0]?.object.data).toEqual({ a: "value" });
    expect(parsed.findings).toMatchObject([{ severity: "warning", code: "yaml-warning", position: { line: 6, column: 6 } }]);
    expect(parsed.findings[0]?.message).toContain("!custom");
  });

  it("lists findings in file order", () => {
    const content = lines("apiVersion: v1", "kind: ConfigMap", "metadata: {}", "---", "a: [", "---", "- x");
    expect(parse(content).findings.map((finding) => [finding.code, finding.position?.line])).toEqual([
      ["invalid-name", 3],
      ["yaml-syntax", 6],
      ["not-an-object", 7],
    ]);
  });
});

describe("parseManifestFile: resource limits", () => {
  it.each([
    ["a nested alias bomb", aliasBomb(12, 10)],
    ["a merge-key bomb", mergeBomb(10)],
    ["more aliases than the limit", lines(...configMap("many"), "data:", "  a: &a x", ...Array.from({ length: 101 }, (_, i) => `  b${i}: *a`))],
  ])("refuses %s quickly", (_name, content) => {
    const started = performance.now();
    const parsed = parse(content);
    expect(performance.now() - started).toBeLessThan(500);
    expect(parsed.objects).toEqual([]);
    expect(parsed.findings).toMatchObject([{ severity: "error", code: "yaml-alias", position: { line: 7 } }]);
    expect(parsed.findings[0]?.message).toContain('alias bomb ("billion laughs")');
  });

  it.each([
    [2, []],
    [1, [{ code: "yaml-alias", position: { line: 7, column: 6 } }]],
    [0, [{ code: "yaml-alias", position: { line: 7, column: 6 } }]],
  ])("allows maxAliasCount %i aliases", (maxAliasCount, findings) => {
    const content = lines(...configMap("few"), "data:", "  a: &a x", "  b: *a", "  c: *a");
    expect(parse(content, { maxAliasCount }).findings).toMatchObject(findings);
  });

  const documents = (count: number) => Array.from({ length: count }, (_, n) => lines(...configMap(`c${n}`))).join("---\n");

  it.each<[string, string | Buffer, Partial<ParseLimits> | undefined, string]>([
    ["a file over 1 MiB", `${lines(...configMap("big"), "data:")}  x: "${"a".repeat(1024 * 1024)}"\n`, undefined, "file-too-large"],
    ["a file over maxFileBytes", lines(...configMap("small")), { maxFileBytes: 10 }, "file-too-large"],
    ["more documents than maxDocuments", documents(4), { maxDocuments: 3 }, "too-many-documents"],
    ["NUL bytes", Buffer.from(lines(...configMap("nul"), "\0")), undefined, "binary-file"],
    ["invalid UTF-8", Buffer.from([0x6b, 0x3a, 0x20, 0xc3, 0x28, 0x0a]), undefined, "binary-file"],
    ["a string with a lone surrogate", lines(...configMap("surrogate"), "data: {a: \ud800}"), undefined, "binary-file"],
  ])("refuses %s with one finding and parses nothing", (_name, content, limits, code) => {
    const parsed = parse(content, limits);
    expect(parsed.objects).toEqual([]);
    expect(parsed.findings).toMatchObject([{ severity: "error", code, position: { file: "deploy/app.yaml", line: 1 } }]);
  });

  it("accepts exactly maxDocuments documents", () => {
    expect(parse(documents(3), { maxDocuments: 3 }).objects).toHaveLength(3);
  });
});

describe("parseManifestFile: never throws", () => {
  it.each(["{{{{", "]]]", "key: [", "*", "&a", "!!", "? ? ?", "a: b: c", "\t- a", "'", '"\\x', "<<: 1", "a: &a [*a]"].concat(
    ["%YAML 9.9\n---\na: 1", "%FOO\n", "- !!binary ===", "---\n...\n..."],
  ))("places every finding, on %j", (content) => {
    const parsed = parse(content);
    expect(parsed.objects).toEqual([]);
    for (const finding of parsed.findings) expect(finding.position?.line).toBeGreaterThanOrEqual(1);
  });
});
