// The parse worker's memory of files it has read (parse-cache.ts): the same result as reading,
// never for a file whose text, path or limits differ, and never more text than its bound.
import { describe, expect, it } from "vitest";
import { parseOneFile, type ManifestFile } from "../../src/manifests/manifest-file.js";
import { ParsedFileCache } from "../../src/planning/parse-cache.js";

const configMap = (name: string): ManifestFile => ({ path: `deploy/${name}.yaml`, content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value\n` });
const size = (file: ManifestFile) => Buffer.byteLength(file.content);

describe("ParsedFileCache", () => {
  it("answers a file it has read with what reading it gives", () => {
    const cache = new ParsedFileCache(1024 * 1024);
    const file = configMap("a");
    const first = cache.parse(file, undefined);
    const again = cache.parse({ ...file, content: Buffer.from(file.content) }, undefined);
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
    expect(again).toBe(first);
    const read = parseOneFile(file, undefined);
    const data = (parsed: typeof read) => ({ ...parsed, objects: parsed.objects.map(({ object, position, documentIndex, lines }) => ({ object, position, documentIndex, lines })) });
    expect(data(again)).toEqual(data(read));
  });

  it("reads a file again when its text, its path, its limits or its source lines differ", () => {
    const cache = new ParsedFileCache(1024 * 1024);
    const file = configMap("a");
    cache.parse(file, undefined);
    const edited = cache.parse({ ...file, content: String(file.content).replace("value", "other") }, undefined);
    expect(edited.objects[0]?.object.data).toEqual({ key: "other" });
    const moved = cache.parse({ ...file, path: "deploy/b.yaml" }, undefined);
    expect(moved.objects[0]?.position.file).toBe("deploy/b.yaml");
    const limited = cache.parse(file, { maxFileBytes: 10 });
    expect(limited.objects).toEqual([]);
    expect(limited.findings.map((finding) => finding.code)).toEqual(["file-too-large"]);
    cache.parse({ ...file, sourceLines: [7, 7, 7, 7, 7, 7] }, undefined);
    expect(cache.stats).toEqual({ hits: 0, misses: 5 });
  });

  it("remembers no more text than its bound, forgetting the least recently used first", () => {
    const [a, b, c] = [configMap("a"), configMap("b"), configMap("c")];
    const cache = new ParsedFileCache(size(a) + size(b));
    cache.parse(a, undefined);
    cache.parse(b, undefined);
    cache.parse(a, undefined); // a is now the most recently used
    cache.parse(c, undefined); // over the bound: b goes
    expect(cache.stats).toEqual({ hits: 1, misses: 3 });
    cache.parse(a, undefined);
    cache.parse(c, undefined);
    expect(cache.stats.hits).toBe(3);
    cache.parse(b, undefined);
    expect(cache.stats.misses).toBe(4);
  });

  it("does not remember a file larger than its bound", () => {
    const file = configMap("a");
    const cache = new ParsedFileCache(size(file) - 1);
    cache.parse(file, undefined);
    cache.parse(file, undefined);
    expect(cache.stats).toEqual({ hits: 0, misses: 2 });
  });
});
