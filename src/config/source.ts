// What an environment's objects come from: plain manifests under `paths`, a Kustomize root, or a
// Helm chart in the repository (exactly one, which the schema checks).
import picomatch from "picomatch";
import type { EnvironmentConfig } from "./schema.js";

export type EnvironmentSource =
  | { kind: "paths"; paths: string[] }
  | { kind: "kustomize"; path: string }
  | { kind: "helm"; chart: string; values: string[]; releaseName: string; namespace: string };

/** A rendered source: kustomize or helm. */
export type RenderedSource = Exclude<EnvironmentSource, { kind: "paths" }>;

export function sourceOf(environment: Pick<EnvironmentConfig, "name" | "namespace" | "paths" | "kustomize" | "helm">): EnvironmentSource {
  if (environment.kustomize !== undefined) return { kind: "kustomize", path: environment.kustomize };
  const { helm } = environment;
  if (helm !== undefined) {
    return { kind: "helm", chart: helm.chart, values: helm.values, releaseName: helm.releaseName ?? environment.name.toLowerCase(), namespace: helm.namespace ?? environment.namespace };
  }
  if (environment.paths !== undefined) return { kind: "paths", paths: environment.paths };
  // The schema refuses an environment with no source; a config built in code must give one too.
  throw new Error(`environment ${environment.name} has no paths, kustomize or helm`);
}

/** A rendered source, or undefined for plain manifests. */
export function renderedSourceOf(environment: Pick<EnvironmentConfig, "name" | "namespace" | "paths" | "kustomize" | "helm">): RenderedSource | undefined {
  const source = sourceOf(environment);
  return source.kind === "paths" ? undefined : source;
}

/**
 * Whether a file of the repository is read for an environment: for plain manifests, one under its
 * paths; for a rendered source, any file (the renderer may read any of them), both minus `exclude`.
 */
export function environmentMatcher(environment: Pick<EnvironmentConfig, "name" | "namespace" | "paths" | "kustomize" | "helm" | "exclude">): (path: string) => boolean {
  const source = sourceOf(environment);
  if (source.kind === "paths") return picomatch(source.paths, { ignore: environment.exclude, dot: true });
  const excluded = environment.exclude.length > 0 ? picomatch(environment.exclude, { dot: true }) : () => false;
  return (path) => !excluded(path);
}
