// helm template through renderSource, with the helm built from tools/helm/go.mod.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { renderSource } from "../../src/sources/render-source.js";
import { fixtureRepository, helmShopProduction as shop, recordingTool } from "../support/fixture-repository.js";
import { describeWithRenderTools, renderTools } from "../support/render-tools.js";


describeWithRenderTools("rendering a Helm source", () => {
  it("renders a chart with two values files, each document mapped to its template by the # Source: line", async () => {
    const result = await renderSource({ root: fixtureRepository("helm-shop"), source: shop, tools: renderTools() });
    if (!result.ok) throw new Error(JSON.stringify(result.findings));
    process.stderr.write(`[render] helm charts/shop: ${result.durationMs} ms\n`);
    expect(result.documents.map((document) => document.origin.file)).toEqual([
      "charts/shop/crds/widgets.yaml",
      "charts/shop/templates/service.yaml",
      "charts/shop/templates/service.yaml",
      "charts/shop/templates/deployment.yaml",
      "charts/shop/charts/cache/templates/statefulset.yaml",
    ]);
    const deployment = result.documents[3]!.text;
    // values.yaml's replicas, values-eu.yaml's logLevel, the chart's own image.
    expect(deployment).toContain("replicas: 3");
    expect(deployment).toContain('value: "warn"');
    expect(deployment).toContain("image: registry.example/shop:1.0.0");
    // The test hook is for `helm test`, not the desired state.
    expect(result.documents.map((document) => document.text).join("")).not.toContain("smoke-test");
  });

  it("refuses a dependency missing from charts/, and helm is not run", async () => {
    const tool = recordingTool();
    const source = { ...shop, chart: "charts/unvendored", values: [] };
    const result = await renderSource({ root: fixtureRepository("refused"), source, tools: { ...renderTools(), helm: tool.path } });
    expect(result).toMatchObject({ ok: false, ran: false, findings: [expect.objectContaining({ code: "helm-dependency-missing" })] });
    expect(tool.ran()).toBe(false);
  });

  it("reports a template's error on the template's file and line", async () => {
    const root = fixtureRepository("helm-shop");
    writeFileSync(join(root, "charts/shop/templates/broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.missing.deeper }}\n");
    const result = await renderSource({ root, source: shop, tools: renderTools() });
    expect(result.ok ? [] : result.findings).toEqual([
      expect.objectContaining({ code: "render-failed", position: { file: "charts/shop/templates/broken.yaml", line: 6 }, message: expect.stringContaining("nil pointer") }),
    ]);
  });

  it("stops a chart whose templates recurse without end at the timeout", async () => {
    const started = Date.now();
    const source = { ...shop, chart: "charts/forever", values: [] };
    const result = await renderSource({ root: fixtureRepository("helm-runaway"), source, tools: renderTools(), limits: { timeoutMs: 3000 } });
    expect(result).toMatchObject({ ok: false, ran: true, findings: [expect.objectContaining({ code: "render-timeout", position: { file: "charts/forever/Chart.yaml", line: 1 } })] });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stops a chart that prints 100 MB at the output cap, holding no more than the cap", async () => {
    const before = process.memoryUsage().rss;
    const source = { ...shop, chart: "charts/flood", values: [] };
    const result = await renderSource({ root: fixtureRepository("helm-runaway"), source, tools: renderTools(), limits: { maxOutputBytes: 8 * 1024 * 1024 } });
    expect(result).toMatchObject({ ok: false, ran: true, findings: [expect.objectContaining({ code: "render-output-too-large", message: expect.stringContaining("more than 8 MiB") })] });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });
});
