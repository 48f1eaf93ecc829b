// Rendered text (kustomize build, helm template) is parsed as the file a person edits: positions
// name that file's lines through ManifestFile.sourceLines, in the process and in the parse worker.
import { describe, expect, it } from "vitest";
import { parseFiles } from "../../src/manifests/manifest-file.js";

const rendered = [
  "apiVersion: v1", // 1 → 7
  "kind: ConfigMap", // 2 → 7
  "metadata:", // 3 → 7
  "  name: settings", // 4 → 7
  "---", // 5 → 20
  "apiVersion: v1", // 6 → 20
  "kind: Service", // 7 → 20
  "metadata:", // 8 → 20
  "  name: web", // 9 → 20
  "  name: web", // 10 → 20: a duplicate key
  "---", // 11 → 31
  "apiVersion: v1", // 12 → 31
  "kind: Secret", // 13 → 31
  "metadata:", // 14 → 31
  "  name: token", // 15 → 31
].join("\n");
const sourceLines = [7, 7, 7, 7, 20, 20, 20, 20, 20, 20, 31, 31, 31, 31, 31];

describe("rendered manifests", () => {
  it("places objects and findings on the lines of the file they were rendered from", () => {
    const parsed = parseFiles([{ path: "overlays/prod/app.yaml", content: rendered, sourceLines }]);
    expect(parsed.objects.map((object) => object.position)).toEqual([
      { file: "overlays/prod/app.yaml", line: 7, column: 1 },
      { file: "overlays/prod/app.yaml", line: 31, column: 1 },
    ]);
    // Field lines too (conflicts and validation findings are placed by them).
    expect(parsed.objects[1]?.lines).toEqual([31, { apiVersion: 31, kind: 31, metadata: [31, { name: 31 }] }]);
    expect(parsed.findings).toHaveLength(1);
    expect(parsed.findings[0]).toMatchObject({ code: "yaml-duplicate-key", position: { file: "overlays/prod/app.yaml", line: 20 } });
  });

  it("keeps the rendered lines when no map is given", () => {
    const parsed = parseFiles([{ path: "out.yaml", content: rendered }]);
    expect(parsed.objects.map((object) => object.position.line)).toEqual([1, 12]);
    expect(parsed.findings[0]?.position?.line).toBe(10);
  });
});
