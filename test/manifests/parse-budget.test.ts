// The budget over all the files of an environment at one commit: past any of its totals, the
// result is one finding and no objects (never part of the files), found without reading further.
import { describe, expect, it } from "vitest";
import { parseFiles, parseFilesWithin, stoppedReading, type ManifestFile } from "../../src/manifests/manifest-file.js";
import { defaultParseBudget, type ParseBudget } from "../../src/manifests/types.js";
import { lines, objectLines } from "./yaml-text.js";

const configMap = (name: string) => lines(...objectLines({ name }), "data:", "  a: b");
const file = (path: string, ...documents: string[]): ManifestFile => ({ path, content: documents.join("---\n") });
const files = (count: number, documentsEach: number) =>
  Array.from({ length: count }, (_, index) => file(`deploy/${index}.yaml`, ...Array.from({ length: documentsEach }, (_, document) => configMap(`c-${index}-${document}`))));

/** A file whose one document uses an anchor of `size` values `uses` times. */
const aliases = (path: string, size: number, uses: number): ManifestFile => ({
  path,
  content: lines(
    ...objectLines({ name: path.replace(/\W/g, "") }),
    "base: &base",
    ...Array.from({ length: size - 1 }, (_, index) => `  k${index}: v`),
    "data:",
    ...Array.from({ length: uses }, (_, index) => `  u${index}: *base`),
  ),
});

describe("parseFiles within a budget", () => {
  it("reads everything within the defaults: 128 MiB, 10,000 documents, 10,000 objects, 100,000 values copied by aliases", () => {
    expect(defaultParseBudget).toEqual({ maxTotalBytes: 128 * 1024 * 1024, maxTotalDocuments: 10_000, maxTotalObjects: 10_000, maxTotalAliasValues: 100_000 });
    const loaded = parseFiles(files(10, 10));
    expect(loaded.objects).toHaveLength(100);
    expect(stoppedReading(loaded)).toEqual([]);
  });

  it.each<[string, Partial<ParseBudget>, ManifestFile[], RegExp]>([
    ["bytes", { maxTotalBytes: 1000 }, files(20, 1), /^The manifests of this environment hold \d+ bytes, more than the 1000 bytes Slipway reads for one environment at one commit, so it planned nothing\. Exclude files that are not manifests with `exclude` in \.github\/slipway\.yml, or split the environment into smaller ones\.$/],
    ["documents", { maxTotalDocuments: 25 }, files(10, 3), /hold more than 25 YAML documents, more than Slipway reads for one environment at one commit, so it planned nothing/],
    ["documents, empty ones too", { maxTotalDocuments: 5 }, [file("deploy/empty.yaml", "", "", "", "", "", "", "")], /hold more than 5 YAML documents/],
    ["objects", { maxTotalObjects: 25 }, files(10, 3), /hold more than 25 Kubernetes objects/],
    ["objects, the items of Lists too", { maxTotalObjects: 2 }, [file("deploy/list.yaml", lines("apiVersion: v1", "kind: List", "items:", ...["a", "b", "c"].flatMap((name) => [`  - apiVersion: v1`, "    kind: ConfigMap", `    metadata: {name: ${name}}`])))], /hold more than 2 Kubernetes objects/],
    ["values copied by aliases", { maxTotalAliasValues: 1000 }, Array.from({ length: 5 }, (_, index) => aliases(`deploy/a${index}.yaml`, 50, 5)), /use YAML aliases \(\*name\) that copy more than 1000 values, which Slipway refuses for one environment at one commit as a possible alias bomb, so it planned nothing\. Write the repeated parts out, or use fewer aliases\.$/],
  ])("plans nothing past the total of %s, with one finding", (_name, budget, input, message) => {
    const loaded = parseFiles(input, { budget });
    expect(loaded.objects).toEqual([]);
    expect(loaded.findings).toHaveLength(1);
    expect(loaded.findings[0]).toMatchObject({ severity: "error", code: "input-over-budget" });
    expect(loaded.findings[0]?.message).toMatch(message);
    expect(stoppedReading(loaded)).toEqual(loaded.findings);
  });

  it("accepts exactly the budget", () => {
    expect(parseFiles(files(10, 3), { budget: { maxTotalDocuments: 30, maxTotalObjects: 30 } }).objects).toHaveLength(30);
    // 5 files, each using 5 times an anchor of 50 values (a mapping and its 49 keys' values).
    const loaded = parseFiles(Array.from({ length: 5 }, (_, index) => aliases(`deploy/a${index}.yaml`, 50, 5)), { budget: { maxTotalAliasValues: 5 * 5 * 50 } });
    expect(stoppedReading(loaded)).toEqual([]);
    expect(loaded.objects).toHaveLength(5);
  });

  it("refuses too many bytes before parsing anything, and too many documents without reading the files after", () => {
    const parsed: string[] = [];
    const collect = (input: ManifestFile[], budget: Partial<ParseBudget>) => {
      const parsing = parseFilesWithin(input, { budget });
      for (let next = parsing.next(); !next.done; next = parsing.next()) parsed.push(next.value.path);
    };
    collect(files(5, 1), { maxTotalBytes: 10 });
    expect(parsed).toEqual([]);
    collect(files(5, 3), { maxTotalDocuments: 7 });
    expect(parsed).toEqual(["deploy/0.yaml", "deploy/1.yaml"]);
  });

  it("counts what aliases copy, not how often they are written", () => {
    // The same 3 aliases, of an anchor of 2 values and of one of 200.
    const small = parseFiles([aliases("deploy/small.yaml", 2, 3)], { budget: { maxTotalAliasValues: 100 } });
    const large = parseFiles([aliases("deploy/large.yaml", 200, 3)], { budget: { maxTotalAliasValues: 100 } });
    expect(stoppedReading(small)).toEqual([]);
    expect(stoppedReading(large)).toMatchObject([{ code: "input-over-budget" }]);
  });
});
