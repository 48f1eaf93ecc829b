import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRenderTools } from "../../src/sources/render-tools.js";
import { writeRepositoryFiles } from "../../src/sources/repository-files.js";

const bin = mkdtempSync(join(tmpdir(), "slipway-render-tools-test-"));
for (const tool of ["kustomize", "helm"]) {
  writeFileSync(join(bin, tool), "#!/bin/sh\n");
  chmodSync(join(bin, tool), 0o755);
}
writeFileSync(join(bin, "not-executable"), "");
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe("resolveRenderTools", () => {
  it("takes SLIPWAY_KUSTOMIZE and SLIPWAY_HELM, else the tools on PATH", () => {
    expect(resolveRenderTools({ PATH: `relative:${bin}` })).toEqual({ kustomize: join(bin, "kustomize"), helm: join(bin, "helm") });
    expect(resolveRenderTools({ PATH: "", SLIPWAY_KUSTOMIZE: join(bin, "kustomize"), SLIPWAY_HELM: join(bin, "helm") })).toEqual({ kustomize: join(bin, "kustomize"), helm: join(bin, "helm") });
  });

  it.each([
    [{ PATH: "" }, /no kustomize on PATH; set SLIPWAY_KUSTOMIZE/],
    [{ PATH: bin, SLIPWAY_HELM: "helm" }, /SLIPWAY_HELM must be an absolute path/],
    [{ PATH: bin, SLIPWAY_HELM: join(bin, "not-executable") }, /SLIPWAY_HELM names .* not an executable file/],
  ])("says which variable to set: %j", (env, message) => {
    expect(() => resolveRenderTools(env)).toThrow(message);
  });
});

describe("writeRepositoryFiles", () => {
  it("writes the files into a fresh directory, and removes it", async () => {
    const written = await writeRepositoryFiles([{ path: "base/kustomization.yaml", content: "resources: []\n" }]);
    const { readFileSync, existsSync } = await import("node:fs");
    expect(readFileSync(join(written.root, "base/kustomization.yaml"), "utf8")).toBe("resources: []\n");
    await written.remove();
    expect(existsSync(written.root)).toBe(false);
  });

  it.each(["../escape.yaml", "/etc/escape.yaml", "a/../../escape.yaml"])("refuses the path %s", async (path) => {
    await expect(writeRepositoryFiles([{ path, content: "" }])).rejects.toThrow(/not a path inside the repository/);
  });
});
