import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifestFile } from "../../src/manifests/parse.js";
import type { ParsedFile } from "../../src/manifests/types.js";
import { lines, objectLines } from "./yaml-text.js";

const parse = (content: string | Buffer) => parseManifestFile({ path: "deploy/app.yaml", content });
const fixture = (name: string) => {
  const path = `fixtures/manifests/${name}`;
  return parseManifestFile({ path, content: readFileSync(path) });
};
const names = (parsed: ParsedFile) => parsed.objects.map(({ object }) => `${object.kind}/${object.metadata.name}`);
const configMap = (name: string) => objectLines({ name });

describe("parseManifestFile: valid files", () => {
  it("reads every document with its position and index, skipping empty ones", () => {
    const parsed = fixture("app.yaml");
    expect(parsed.findings).toEqual([]);
    expect(names(parsed)).toEqual(["Deployment/web", "Service/web", "ConfigMap/web-config"]);
    expect(parsed.objects.map((source) => [source.position, source.documentIndex])).toEqual([
      [{ file: "fixtures/manifests/app.yaml", line: 2, column: 1 }, 0],
      [{ file: "fixtures/manifests/app.yaml", line: 27, column: 1 }, 1],
      [{ file: "fixtures/manifests/app.yaml", line: 40, column: 1 }, 3],
    ]);
  });

  it.each([
    ["a bare separator", lines("---", "---", ...configMap("a"))],
    ["comments only", lines("# nothing here", "---", "  # still nothing", "---", ...configMap("a"))],
    ["an explicit null document", lines("~", "---", ...configMap("a"))],
    ["a trailing separator", lines(...configMap("a"), "---")],
  ])("skips empty documents silently: %s", (_name, content) => {
    const parsed = parse(content);
    expect(parsed.findings).toEqual([]);
    expect(names(parsed)).toEqual(["ConfigMap/a"]);
  });

  it("returns nothing and no findings for an empty file", () => {
    expect(parse("")).toEqual({ path: "deploy/app.yaml", objects: [], findings: [], counts: { documents: 0, aliasValues: 0 } });
  });

  it("returns the object exactly as written, as plain JSON data read the way kubectl reads YAML", () => {
    const content = lines(
      ...configMap("app"),
      "data:",
      "  created: 2001-12-14t21:59:43.10-05:00", // a timestamp stays a string
      "  ports: 22:22", // no YAML 1.1 sexagesimal numbers
      '  quoted: "0755"',
      "spec:",
      "  mode: 0755", // YAML 1.1 octal
      "  enabled: yes", // YAML 1.1 boolean
      "  off: no", // ... in keys too
      "  size: 1_000",
      "  nothing: ~",
    );
    const [source] = parse(content).objects;
    expect(source?.object).toStrictEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app" },
      data: { created: "2001-12-14t21:59:43.10-05:00", ports: "22:22", quoted: "0755" },
      spec: { mode: 493, enabled: true, false: false, size: 1000, nothing: null },
    });
  });

  it("expands aliases and merge keys into independent copies", () => {
    const content = lines(...configMap("app"), "spec:", "  a: &shared {x: 1}", "  b: *shared", "  c: {<<: *shared, z: 2}");
    const spec = parse(content).objects[0]?.object.spec as Record<string, object>;
    expect(spec).toEqual({ a: { x: 1 }, b: { x: 1 }, c: { x: 1, z: 2 } });
    expect(spec.b).not.toBe(spec.a);
  });

  it("keeps line numbers with Windows line endings", () => {
    const parsed = parse(lines("# crlf", ...configMap("crlf"), "data:", "  a: b").replaceAll("\n", "\r\n"));
    expect(parsed.objects[0]?.object.data).toEqual({ a: "b" });
    expect(parsed.objects[0]?.lineOf(["data", "a"])).toBe(7);
  });

  it("accepts UTF-8 with a byte-order mark, keeping line numbers", () => {
    const parsed = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines(...configMap("bom")))]));
    expect(parsed.findings).toEqual([]);
    expect(parsed.objects[0]?.lineOf(["metadata", "name"])).toBe(4);
  });
});

describe("parseManifestFile: kind List", () => {
  it("expands a v1 List into its items, each with its own position", () => {
    const parsed = fixture("list.yaml");
    expect(parsed.findings).toEqual([]);
    expect(names(parsed)).toEqual(["ConfigMap/first", "Secret/second"]);
    const positions = parsed.objects.map(({ position, documentIndex }) => [position.line, position.column, documentIndex]);
    expect(positions).toEqual([
      [4, 5, 0],
      [10, 5, 0],
    ]);
    // lineOf is relative to the item, not to the List.
    expect(parsed.objects[1]?.lineOf(["stringData", "password"])).toBe(15);
    expect(parsed.objects[1]?.lineOf(["metadata", "labels"])).toBe(12);
  });

  it.each([
    ["items that are not a sequence", lines("apiVersion: v1", "kind: List", "items: {}"), "invalid-list", 3],
    ["an item without a name", lines("apiVersion: v1", "kind: List", "items:", "  - apiVersion: v1", "    kind: Secret"), "invalid-name", 4],
    ["an item that is not a mapping", lines("apiVersion: v1", "kind: List", "items:", "  - just text"), "not-an-object", 4],
  ])("reports %s", (_name, content, code, line) => {
    const parsed = parse(content);
    expect(parsed.objects).toEqual([]);
    expect(parsed.findings).toMatchObject([{ severity: "error", code, position: { file: "deploy/app.yaml", line } }]);
  });

  it("decides by items, as kubectl does: a kind named …List without items is an object", () => {
    const shopping = parse(lines("apiVersion: example.com/v1", "kind: ShoppingList", "metadata:", "  name: groceries", "spec:", "  entries: [milk]"));
    expect(shopping.findings).toEqual([]);
    expect(shopping.objects.map(({ object }) => `${object.kind}/${object.metadata.name}`)).toEqual(["ShoppingList/groceries"]);
    const typed = parse(lines("apiVersion: v1", "kind: ConfigMapList", "items:", "  - apiVersion: v1", "    kind: ConfigMap", "    metadata:", "      name: a"));
    expect(typed.objects.map(({ object }) => `${object.kind}/${object.metadata.name}`)).toEqual(["ConfigMap/a"]);
  });

  it("reports a kind List without items", () => {
    expect(parse(lines("apiVersion: v1", "kind: List")).findings).toMatchObject([{ code: "invalid-list" }]);
  });

  it("returns nothing and no findings for an empty List", () => {
    expect(parse(lines("apiVersion: v1", "kind: List", "items: []"))).toMatchObject({ objects: [], findings: [] });
  });
});
