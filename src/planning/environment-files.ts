// An environment's manifests at one commit, as the planner and the apply take them: for `paths`,
// the files read; for a kustomize or helm source, what the tool renders from the repository's
// files at that commit, as one file per repository file the objects came from. The rendered text
// keeps the tool's bytes; ManifestFile.sourceLines places each object in the file a person edits
// (sources/rendered-objects.ts).
import { renderedSourceOf } from "../config/source.js";
import type { EnvironmentConfig } from "../config/schema.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import type { Finding } from "../manifests/types.js";
import { dependsOn } from "../sources/depends-on.js";
import { renderSource, sourceDependencies } from "../sources/render-source.js";
import { writeRepositoryFiles } from "../sources/repository-files.js";
import { resolveRenderTools } from "../sources/render-tools.js";
import { renderedManifestFiles } from "../sources/rendered-objects.js";
import type { RenderLimits, RenderTools } from "../sources/types.js";

export type EnvironmentFiles =
  | { ok: true; files: ManifestFile[]; rendered?: { tool: "kustomize" | "helm"; objects: number; durationMs: number } }
  /** The source did not render: nothing may be planned or applied from it. */
  | { ok: false; findings: Finding[]; durationMs: number };

/** How the server renders sources. */
export interface RenderSettings {
  /** The tools' paths; asked only for an environment with a rendered source. */
  tools: () => RenderTools;
  limits?: Partial<RenderLimits>;
}

/** The tools SLIPWAY_KUSTOMIZE and SLIPWAY_HELM name, else those on PATH, looked up when a source first needs them (a repository without one never does). */
export function renderSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): RenderSettings {
  let tools: RenderTools | undefined;
  return { tools: () => (tools ??= resolveRenderTools(env)) };
}

/** `files`: the commit's files the environment reads (config/source.ts: environmentMatcher). */
export async function environmentFiles(params: { environment: EnvironmentConfig; files: ManifestFile[]; render: RenderSettings & { signal?: AbortSignal } }): Promise<EnvironmentFiles> {
  const source = renderedSourceOf(params.environment);
  if (!source) return { ok: true, files: params.files };
  const { tools, limits, signal } = params.render;
  const repository = await writeRepositoryFiles(params.files);
  try {
    const result = await renderSource({ root: repository.root, source, tools: tools(), ...(limits ? { limits } : {}), ...(signal ? { signal } : {}) });
    if (!result.ok) return { ok: false, findings: result.findings, durationMs: result.durationMs };
    const byPath = new Map(params.files.map((file) => [file.path, file.content]));
    const files = renderedManifestFiles({ documents: result.documents, readFile: (path) => byPath.get(path) });
    return { ok: true, files, rendered: { tool: source.kind, objects: result.documents.length, durationMs: result.durationMs } };
  } finally {
    await repository.remove();
  }
}

/** What to plan of a rendered source at two revisions, and the findings when the head does not render. */
export type RenderedChange = { kind: "files"; head: ManifestFile[]; base: ManifestFile[]; headAll: ManifestFile[] } | { kind: "unrendered"; findings: Finding[] };

/**
 * A rendered source at the head and the base: every file at head, and as changed those whose
 * objects' text differs, so the diff and the prune preview are exact. A base that does not render
 * (the change fixes it) shows everything at head as changed.
 */
export function renderedChange(atHead: EnvironmentFiles, atBase: EnvironmentFiles): RenderedChange {
  if (!atHead.ok) return { kind: "unrendered", findings: atHead.findings };
  const baseAll = atBase.ok ? atBase.files : [];
  const baseText = new Map(baseAll.map((file) => [file.path, String(file.content)]));
  const headText = new Map(atHead.files.map((file) => [file.path, String(file.content)]));
  return {
    kind: "files",
    headAll: atHead.files,
    head: atHead.files.filter((file) => baseText.get(file.path) !== String(file.content)),
    base: baseAll.filter((file) => headText.get(file.path) !== String(file.content)),
  };
}

/**
 * Whether a change to these repository paths can change what the environment renders, judged on
 * the commit's files: a path the source reads, or under a directory it reads. A source that cannot
 * be read (a refusal) counts as changed when a path is under its own directory, so the refusal is
 * reported.
 */
export async function sourceReadsAny(params: { environment: EnvironmentConfig; files: ManifestFile[]; paths: string[] }): Promise<boolean> {
  const source = renderedSourceOf(params.environment);
  if (!source) return false;
  const repository = await writeRepositoryFiles(params.files);
  try {
    const dependencies = await sourceDependencies({ root: repository.root, source });
    const home = source.kind === "kustomize" ? source.path : source.chart;
    return params.paths.some((path) => dependsOn(dependencies, path) || (dependencies.findings.length > 0 && dependsOn({ files: [], directories: [home] }, path)));
  } finally {
    await repository.remove();
  }
}
