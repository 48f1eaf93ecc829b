// kustomize build through renderSource, with the kustomize built from tools/kustomize/go.mod.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { renderSource } from "../../src/sources/render-source.js";
import { parseFiles } from "../../src/manifests/manifest-file.js";
import { renderedManifestFiles } from "../../src/sources/rendered-objects.js";
import { fixtureRepository, recordingTool } from "../support/fixture-repository.js";
import { describeWithRenderTools, renderTools } from "../support/render-tools.js";

describeWithRenderTools("rendering a Kustomize source", () => {
  it("renders an overlay with a base, a component and a patch, each object with the file it came from and no origin annotation", async () => {
    const root = fixtureRepository("shop");
    const result = await renderSource({ root, source: { kind: "kustomize", path: "overlays/production" }, tools: renderTools() });
    if (!result.ok) throw new Error(JSON.stringify(result.findings));
    process.stderr.write(`[render] kustomize overlays/production: ${result.durationMs} ms\n`);
    expect(result.documents.map((document) => document.origin)).toEqual([
      { file: "base/kustomization.yaml", via: "generator" },
      { file: "base/service.yaml", via: "resource" },
      { file: "base/deployment.yaml", via: "resource" },
      { file: "overlays/production/pdb.yaml", via: "resource" },
    ]);
    expect(result.documents.map((document) => document.text).join("")).not.toContain("config.kubernetes.io/origin");

    const loaded = parseFiles(renderedManifestFiles({ documents: result.documents, readFile: (path) => readFileSync(join(root, path)) }));
    expect(loaded.findings).toEqual([]);
    const deployment = loaded.objects.find((source) => source.object.kind === "Deployment")!;
    // The patch (replicas: 3) and the component (an annotation) are applied; the namespace and prefix too.
    expect(deployment.object).toMatchObject({ metadata: { name: "prod-shop", namespace: "shop-production" }, spec: { replicas: 3 } });
    expect(deployment.object.metadata.annotations).toBeUndefined();
    expect(deployment.position).toEqual({ file: "base/deployment.yaml", line: 1, column: 1 });
    expect(deployment.lineOf(["spec", "replicas"])).toBe(8);
    const configMap = loaded.objects.find((source) => source.object.kind === "ConfigMap")!;
    expect(configMap.position).toEqual({ file: "base/kustomization.yaml", line: 1, column: 1 });
  });

  it.each([
    ["remote-base", "remote-reference"],
    ["exec-plugin", "kustomize-plugin"],
    ["krm-function", "kustomize-plugin"],
    ["outside-root", "path-outside-repository"],
  ])("refuses %s with a finding, and kustomize is not run", async (path, code) => {
    const tool = recordingTool();
    const result = await renderSource({ root: fixtureRepository("refused"), source: { kind: "kustomize", path }, tools: { ...renderTools(), kustomize: tool.path } });
    expect(result).toMatchObject({ ok: false, ran: false, findings: [expect.objectContaining({ code })] });
    expect(tool.ran()).toBe(false);
  });

  it("runs the recording stand-in when nothing is refused (so the refusals above are the checks' doing)", async () => {
    const tool = recordingTool();
    await renderSource({ root: fixtureRepository("shop"), source: { kind: "kustomize", path: "overlays/production" }, tools: { ...renderTools(), kustomize: tool.path } });
    expect(tool.ran()).toBe(true);
  });

  it("reports kustomize's error on the kustomization where it went wrong, in repository paths", async () => {
    const root = fixtureRepository("shop");
    writeFileSync(join(root, "overlays/production/replicas.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no-such-deployment\nspec:\n  replicas: 3\n");
    const result = await renderSource({ root, source: { kind: "kustomize", path: "overlays/production" }, tools: renderTools() });
    expect(result).toMatchObject({ ok: false, ran: true });
    const [finding] = result.ok ? [] : result.findings;
    expect(finding).toMatchObject({ code: "render-failed", position: { file: "overlays/production/kustomization.yaml", line: 1 } });
    expect(finding?.message).toContain("no-such-deployment");
    expect(finding?.message).not.toContain(root);
  });

  it("reports a resource that is not YAML on that file and line", async () => {
    const root = fixtureRepository("shop");
    writeFileSync(join(root, "base/service.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\n");
    const result = await renderSource({ root, source: { kind: "kustomize", path: "overlays/production" }, tools: renderTools() });
    expect(result.ok ? [] : result.findings).toEqual([expect.objectContaining({ code: "render-failed", position: { file: "base/service.yaml", line: 3 } })]);
  });
});
