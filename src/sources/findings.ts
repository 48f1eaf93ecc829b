// The closed vocabulary of findings about rendered sources (principle 3), and one way to make one.
import type { Finding, SourcePosition } from "../manifests/types.js";

export type SourceFindingCode =
  // Refused before the tool runs, from reading the source's files
  | "source-missing"
  | "source-not-readable"
  | "remote-reference"
  | "path-outside-repository"
  | "kustomize-plugin"
  | "kustomize-helm"
  | "helm-dependency-missing"
  // The tool ran
  | "render-failed"
  | "render-timeout"
  | "render-output-too-large"
  | "render-output-invalid";

export interface SourceFinding extends Finding {
  code: SourceFindingCode;
}

export function sourceFinding(code: SourceFindingCode, message: string, position?: SourcePosition): SourceFinding {
  return position ? { severity: "error", code, message, position } : { severity: "error", code, message };
}
