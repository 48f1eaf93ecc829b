// The entry point for rendering: an environment's Kustomize or Helm source, from a directory that
// holds the repository's files at one commit, into YAML documents that say where they came from,
// or findings. Also what the source depends on, to decide whether a change to a pull request's
// files needs a plan.
import { checkHelmChart } from "./check-helm-chart.js";
import { checkKustomization, type SourceCheck } from "./check-kustomization.js";
import { renderHelm, type HelmRenderOptions } from "./render-helm.js";
import { renderKustomize } from "./render-kustomize.js";
import { defaultRenderLimits, type RenderLimits, type RenderResult, type RenderSource, type RenderTools } from "./types.js";

export interface RenderSourceParams {
  /**
   * A directory that holds the repository's files at the commit and nothing else (see
   * writeRepositoryFiles). The tool runs in it; rendering writes a wrapper directory of its own
   * there for kustomize and removes it. Do not render two sources in it at once.
   */
  root: string;
  source: RenderSource;
  tools: RenderTools;
  limits?: Partial<RenderLimits>;
  helm?: HelmRenderOptions;
  /** Aborting kills the tool and rejects with a RenderToolError. */
  signal?: AbortSignal;
}

/**
 * Renders the source. Refusals (a remote base, a plugin, a path out of the repository, a missing
 * dependency) come back as findings with `ran: false`, before any tool runs; a tool's error, a
 * timeout or an output cap as findings with `ran: true`. Throws RenderToolError only when the tool
 * cannot be started or the signal aborts.
 */
export function renderSource(params: RenderSourceParams): Promise<RenderResult> {
  const { root, source, tools, signal } = params;
  const limits = { ...defaultRenderLimits, ...params.limits };
  switch (source.kind) {
    case "kustomize":
      return renderKustomize({ root, source, kustomize: tools.kustomize, limits, ...(signal ? { signal } : {}) });
    case "helm":
      return renderHelm({ root, source, helm: tools.helm, limits, ...(params.helm ? { options: params.helm } : {}), ...(signal ? { signal } : {}) });
  }
}

/**
 * The files and directories the source reads, with the same refusals rendering would give, and
 * without running a tool. Plan a pull request when a file it changes is one of them, or under one
 * of the directories, at the base or at the head (see dependsOn).
 */
export async function sourceDependencies(params: { root: string; source: RenderSource }): Promise<SourceCheck> {
  const { root, source } = params;
  switch (source.kind) {
    case "kustomize":
      return checkKustomization({ root, path: source.path });
    case "helm": {
      const { findings, files, directories } = await checkHelmChart({ root, source });
      return { findings, files, directories };
    }
  }
}
