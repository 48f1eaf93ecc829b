// The line tree must answer every path exactly as locate.ts does on the syntax tree: for every
// path of every value in the fixtures and in files with aliases, merge keys, odd keys and lists,
// and for paths that go past what the file holds. It must survive a structured clone (a worker
// sends it), and build in linear time on a mapping of many keys.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineOfPath, type LineTree } from "../../src/manifests/line-tree.js";
import type { FieldPath } from "../../src/manifests/locate.js";
import { readYamlDocuments } from "../../src/manifests/yaml-documents.js";
import { lines, objectLines } from "./yaml-text.js";

/** Every path of a value, and for each one a path that goes past it. */
function pathsOf(value: unknown, prefix: FieldPath = []): FieldPath[] {
  const beyond: FieldPath[] = [[...prefix, "not-in-the-file"], [...prefix, 99]];
  if (Array.isArray(value)) return [prefix, ...beyond, ...value.flatMap((item: unknown, index) => pathsOf(item, [...prefix, index]))];
  if (typeof value === "object" && value !== null) return [prefix, ...beyond, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
  return [prefix, ...beyond];
}

function expectSameLines(text: string): number {
  const { documents } = readYamlDocuments({ path: "x.yaml", text, maxDocuments: 1000, maxAliasCount: 100 });
  let checked = 0;
  for (const document of documents) {
    const trees: Array<[FieldPath, LineTree]> = [[[], document.lines([], document.value)]];
    const items = (document.value as { items?: unknown }).items;
    if (Array.isArray(items)) items.forEach((item: unknown, index) => trees.push([["items", index], document.lines(["items", index], item)]));
    for (const [prefix, tree] of trees) {
      let value: unknown = document.value;
      for (const segment of prefix) value = (value as Record<string, unknown>)[segment];
      for (const tested of [tree, structuredClone(tree)]) {
        for (const path of pathsOf(value)) {
          expect(lineOfPath(tested, path), `${JSON.stringify([...prefix, ...path])}`).toBe(document.locate([...prefix, ...path]).line);
          checked += 1;
        }
      }
    }
  }
  return checked;
}

describe("the line tree answers as locate.ts does", () => {
  const dir = "fixtures/manifests";
  const demo = ["fixtures/demo/v1", "fixtures/demo/v2"].flatMap((folder) => readdirSync(folder).map((name) => join(folder, name)));
  it.each([...readdirSync(dir).map((name) => join(dir, name)), ...demo].filter((file) => /\.ya?ml$/.test(file)))("for every path in %s", (file) => {
    expect(expectSameLines(readFileSync(file, "utf8"))).toBeGreaterThan(0);
  });

  it.each([
    ["aliases, nested and in sequences", lines(...objectLines({ name: "a" }), "spec:", "  a: &x", "    b: [1, &y {c: 2}]", "  d: *x", "  e:", "    - *y", "    - *x")],
    ["merge keys", lines(...objectLines({ name: "m" }), "base: &base", "  a: 1", "  b: {c: 2}", "spec:", "  <<: *base", "  d: 3")],
    ["keys YAML reads as numbers, booleans and null", lines(...objectLines({ name: "k" }), "spec:", "  80: http", "  on: yes", "  ~: nothing", "  0x10: hex", "  1.5: f")],
    ["a __proto__ key", lines(...objectLines({ name: "p" }), "data:", "  __proto__: x", "  constructor: y", "  hasOwnProperty: z")],
    ["flow collections over several lines", lines(...objectLines({ name: "f" }), "spec: {a: [1,", "  2], b: {c:", "  d}}")],
    ["a List with items", lines("apiVersion: v1", "kind: List", "items:", "  - apiVersion: v1", "    kind: ConfigMap", "    metadata: {name: a}", "  - apiVersion: v1", "    kind: Secret", "    metadata:", "      name: b")],
    ["several documents", `${lines(...objectLines({ name: "one" }))}---\n${lines(...objectLines({ name: "two" }), "data:", "  a: b")}`],
    ["an anchor redefined", lines(...objectLines({ name: "r" }), "a: &x {b: 1}", "c: *x", "d: &x", "  e: 2", "f: *x")],
  ])("for every path, with %s", (_name, text) => {
    expect(expectSameLines(text)).toBeGreaterThan(0);
  });
});

describe("the line tree", () => {
  it("builds in linear time for a mapping of 20,000 keys", () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `  key-${index}: "value ${index}"`);
    const text = lines(...objectLines({ name: "big" }), "data:", ...keys);
    const { documents } = readYamlDocuments({ path: "x.yaml", text, maxDocuments: 1, maxAliasCount: 100 });
    const [document] = documents;
    if (!document) throw new Error("no document");
    const started = performance.now();
    const tree = document.lines([], document.value);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lineOfPath(tree, ["data", "key-19999"])).toBe(20_005);
    expect(lineOfPath(tree, ["data", "key-20000"])).toBe(5);
  });
});
