// `helm template` of a chart in the repository's files, after checkHelmChart found nothing to
// refuse: no repositories, plugins or post-renderer (none configured, HELM_NO_PLUGINS=1, no
// --post-renderer), never `dependency build`. CRDs are included (--include-crds), as Argo CD
// renders them and Flux installs them; test hooks are left out (--skip-tests): they are for
// `helm test`, not the desired state. Each document is mapped to its `# Source:` marker.
import { statSync } from "node:fs";
import { join } from "node:path";
import { checkHelmChart } from "./check-helm-chart.js";
import { sourceFinding } from "./findings.js";
import type { HelmChart } from "./helm-chart.js";
import { helmErrorFinding } from "./helm-error.js";
import { helmTemplateOrigin } from "./helm-source-path.js";
import { runTool } from "./run-tool.js";
import { toolOutcomeFinding } from "./tool-outcome.js";
import { withToolEnvironment } from "./tool-environment.js";
import type { HelmSource, RenderedDocument, RenderLimits, RenderResult } from "./types.js";

export interface HelmRenderOptions {
  /** Capabilities.KubeVersion for the templates (`--kube-version`), e.g. the target cluster's `v1.31.0`. */
  kubeVersion?: string;
}

export async function renderHelm(params: {
  root: string;
  source: HelmSource;
  helm: string;
  limits: RenderLimits;
  options?: HelmRenderOptions;
  signal?: AbortSignal;
}): Promise<RenderResult> {
  const { root, source, limits } = params;
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const check = await checkHelmChart({ root, source });
  if (check.findings.length > 0 || !check.chart) return { ok: false, findings: check.findings, durationMs: elapsed(), ran: false };
  const { chart } = check;

  const args = ["template", source.releaseName, `./${chart.dir}`, "--namespace", source.namespace, "--include-crds", "--skip-tests"];
  for (const values of source.values) args.push("--values", `./${values}`);
  if (params.options?.kubeVersion) args.push("--kube-version", params.options.kubeVersion);
  const outcome = await withToolEnvironment((env) =>
    runTool({ command: params.helm, args, cwd: root, env, ...limits, ...(params.signal ? { signal: params.signal } : {}) }),
  );
  const at = { file: `${chart.dir}/Chart.yaml`, line: 1 };
  if (outcome.kind !== "exited") return { ok: false, findings: [toolOutcomeFinding({ outcome, tool: "helm", source: chart.dir, limits, at })], durationMs: elapsed(), ran: true };
  const isFile = (path: string) => statSync(join(root, path), { throwIfNoEntry: false })?.isFile() ?? false;
  if (outcome.code !== 0) {
    return { ok: false, findings: [helmErrorFinding({ stderr: outcome.stderr, chart, values: source.values, isFile })], durationMs: elapsed(), ran: true };
  }
  const documents = splitHelmOutput(outcome.stdout.toString("utf8"), chart, isFile);
  if ("problem" in documents) {
    return { ok: false, findings: [sourceFinding("render-output-invalid", `helm printed output Slipway cannot place: ${documents.problem}.`, at)], durationMs: elapsed(), ran: true };
  }
  return { ok: true, documents, durationMs: elapsed() };
}

/** helm's documents, each starting `---` then `# Source: <chart>/<path>`. */
export function splitHelmOutput(output: string, chart: HelmChart, isFile: (path: string) => boolean): RenderedDocument[] | { problem: string } {
  const documents: RenderedDocument[] = [];
  for (const part of output.split(/^---[ \t]*\n/m)) {
    if (part.trim() === "") continue;
    const source = /^# Source: (.+)\n/.exec(part);
    if (!source) return { problem: `a document without a "# Source:" line: ${part.slice(0, 80)}` };
    documents.push({ text: part, origin: helmTemplateOrigin(source[1]!.trim(), chart, isFile) });
  }
  return documents;
}
