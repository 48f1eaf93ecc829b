// What an environment renders from when it is not plain manifests, and what rendering gives back:
// one YAML document per object with the repository file it came from, or findings.
import type { Finding } from "../manifests/types.js";

/** A Kustomize root or a Helm chart in the repository; every path is relative to the repository's root. */
export type RenderSource = KustomizeSource | HelmSource;

export interface KustomizeSource {
  kind: "kustomize";
  /** The directory that holds the kustomization file, e.g. `overlays/production`. */
  path: string;
}

export interface HelmSource {
  kind: "helm";
  /** The chart's directory (holding Chart.yaml), e.g. `charts/shop`. */
  chart: string;
  /** Values files, applied in order (later ones win), e.g. `environments/production/values.yaml`. */
  values: string[];
  releaseName: string;
  namespace: string;
}

/** The binaries that render; absolute paths (see resolveRenderTools). */
export interface RenderTools {
  kustomize: string;
  helm: string;
}

/** Bounds on one run of a tool: passing one stops it and becomes a finding. */
export interface RenderLimits {
  /** Wall-clock time before the tool's process group is killed (default 60 s). */
  timeoutMs: number;
  /** Bytes of YAML the tool may print before it is killed and its output dropped (default 64 MiB). */
  maxOutputBytes: number;
  /** Bytes of the tool's error output kept for the finding (default 64 KiB; the rest is dropped). */
  maxErrorBytes: number;
}

export const defaultRenderLimits: RenderLimits = {
  timeoutMs: 60_000,
  // Half the 128 MiB that Slipway parses of an environment's plain manifests (defaultParseBudget):
  // the rendered text is parsed after, and held twice meanwhile.
  maxOutputBytes: 64 * 1024 * 1024,
  maxErrorBytes: 64 * 1024,
};

/** Where a rendered object came from: the file a person edits to change it. */
export interface RenderOrigin {
  /** Path inside the repository. */
  file: string;
  /**
   * How the tool made it: a resource read from `file`, an object a generator configured in `file`
   * made (a ConfigMapGenerator in a kustomization), or a Helm template (or CRD) in the chart.
   */
  via: "resource" | "generator" | "template";
  /**
   * The file the tool actually read when that is not a repository file a person edits as text:
   * a vendored subchart's archive (`charts/redis-19.0.0.tgz`) holds `charts/redis/templates/x.yaml`.
   */
  inside?: string;
}

/** One object as the tool printed it, Slipway's own origin annotation removed. */
export interface RenderedDocument {
  /** The YAML of one document, ready for the manifest parser. */
  text: string;
  origin: RenderOrigin;
}

export type RenderResult =
  | { ok: true; documents: RenderedDocument[]; durationMs: number }
  /** Nothing may be planned or applied from a source that did not render. */
  | { ok: false; findings: Finding[]; durationMs: number; ran: boolean };
