// The closed vocabulary of findings about manifests, so that renderers and tests can rely on
// the codes (principle 3: closed unions, not loose strings).
import type { Finding } from "./types.js";

export type ManifestFindingCode =
  // All the files read together
  | "input-over-budget"
  | "parse-timeout"
  | "parse-out-of-memory"
  // The file as a whole
  | "file-too-large"
  | "binary-file"
  | "too-many-documents"
  // YAML
  | "yaml-syntax"
  | "yaml-duplicate-key"
  | "yaml-alias"
  | "yaml-warning"
  | "non-json-value"
  // The shape of a Kubernetes object
  | "not-an-object"
  | "not-kubernetes"
  | "invalid-type-meta"
  | "invalid-name"
  | "invalid-metadata"
  | "invalid-list"
  // Rules that need the whole set of objects and the environment
  | "unknown-kind"
  | "duplicate-object"
  | "namespace-missing"
  | "namespace-not-allowed"
  | "cluster-scoped-not-allowed"
  | "namespace-on-cluster-scoped"
  | "slipway-owned";

export interface ManifestFinding extends Finding {
  code: ManifestFindingCode;
}
