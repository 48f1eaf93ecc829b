// The plan: what merging a change would do to one environment. Pure data, produced by the
// planner and rendered by render/ for comments, check runs and the command line.
import type { Finding, SourcePosition } from "../manifests/types.js";
import type { ObjectRef } from "../manifests/object.js";

/**
 * What would happen to one object.
 * - create / change / unchanged: from the server-side dry-run (or, offline, from the base).
 * - adopt: exists, and Slipway did not apply it (or applied it for another repository): merging
 *   takes it over from its current managers, which needs `adopt: true` on the environment.
 * - prune: gone from the manifests and managed by Slipway, so merging deletes it.
 * - retain: gone from the manifests, but merging leaves it in the cluster (Slipway did not apply
 *   it, or another controller owns it); `note` says why.
 * - unverified: could not be dry-run for a known reason (its Namespace or CRD is new in the
 *   same change, an admission webhook without dry-run support); `note` says which.
 * - rejected: the API server refused the dry-run (invalid, immutable field, forbidden).
 */
export type PlanAction = "create" | "change" | "unchanged" | "adopt" | "prune" | "retain" | "unverified" | "rejected";

/**
 * - added / removed / changed / unchanged: compared on the decoded values.
 * - written: the change sets the key, and the plan does not say whether that changes it (the
 *   live value was not written by Slipway for this repository, so comparing would reveal it).
 */
export type SecretKeyState = "added" | "removed" | "changed" | "unchanged" | "written";

export interface SecretKeyChange {
  key: string;
  state: SecretKeyState;
}

/**
 * Who holds a conflicting field, and so what to do about it.
 * - controller: a controller writing through a subresource (an HPA through `scale`).
 * - manual-edit: an `Update` by a person (`kubectl edit`, `kubectl scale`, a console).
 * - gitops-tool: another applier (Flux, Argo CD, Helm, kubectl apply --server-side) owns it.
 */
export type ConflictOwnerKind = "controller" | "manual-edit" | "gitops-tool";

export interface FieldConflict {
  /** `Kind/namespace/name`. */
  object: string;
  /** The field path as the API server reports it, e.g. `.spec.template.spec.containers[name="app"].image`. */
  field: string;
  manager: string;
  operation?: "Apply" | "Update";
  subresource?: string;
  apiVersion?: string;
  /** When the owner last wrote the object (managedFields `time`). */
  time?: string;
  ownerKind: ConflictOwnerKind;
  /** Live and desired values, rendered as short YAML/JSON text; masked for Secrets. */
  liveValue?: string;
  desiredValue?: string;
  /** What to do about it, one or two sentences. */
  advice: string;
  /** True when the conflict blocks the merge regardless of configuration (two GitOps tools fighting). */
  blocking: boolean;
  /** The line of the field in the manifest, when it can be found. */
  position?: SourcePosition;
}

export interface ObjectPlan {
  ref: ObjectRef;
  /** `Kind/namespace/name`. */
  name: string;
  action: PlanAction;
  /** Where the object is defined (absent for objects that are pruned). */
  position?: SourcePosition;
  /** Unified diff of the normalised live object against the dry-run result, Secret values masked. */
  diff?: string;
  /** For Secrets: per-key state instead of values. */
  secretKeys?: SecretKeyChange[];
  conflicts: FieldConflict[];
  /** Why the object is unverified or rejected, or another remark; never contains Secret values. */
  note?: string;
  /** Workloads this object's change rolls out ("ConfigMap apps/web-config changed → Deployment apps/web"). */
  rollsOut?: string[];
}

export type PlanMode =
  /** Validated and dry-run against the cluster. */
  | "cluster"
  /** Validated and diffed against the base revision only; server-side checks skipped. */
  | "offline"
  /** Validated only (a pull request from a fork with `forks: validate`). */
  | "validate-only";

export interface PlanCounts {
  create: number;
  change: number;
  unchanged: number;
  adopt: number;
  prune: number;
  retain: number;
  unverified: number;
  rejected: number;
  conflicts: number;
  errors: number;
  warnings: number;
}

export interface EnvironmentPlan {
  environment: string;
  mode: PlanMode;
  /** The kubeconfig context and default namespace the plan ran against, for the report header. */
  context?: string;
  objects: ObjectPlan[];
  /** Validation findings (file:line), and other remarks not tied to one object's dry-run. */
  findings: Finding[];
  /** A failure of the run itself (cluster unreachable, RBAC): what failed and what to do. */
  error?: string;
  /** Whether ownership conflicts fail the plan (`conflicts: fail`) or only warn. */
  conflictsFail: boolean;
  /** What merging does to each canaried workload the change touches. */
  canaries?: CanaryPlan[];
}

/**
 * A canaried workload in a plan or an apply.
 * - none: applied as written (new, or already running this revision).
 * - start / continue: the new revision runs as a canary; `heldBack` keep what runs.
 * - promote: the canary's revision is being promoted to the stable Deployment.
 * - held: the canary of this revision failed or was stopped; the stable Deployment keeps its revision.
 * - revert: the revision ran with all traffic recently (or runs on stable now): the stable Deployment takes it at once, without a canary.
 */
export interface CanaryPlan {
  workload: string;
  kind: "none" | "start" | "continue" | "promote" | "held" | "revert";
  revision: string;
  /** A revert: when the stable Deployment took this revision before. */
  promotedAt?: string;
  stableRevision?: string;
  /** Objects sent with what runs now instead of Git's content (display names). */
  heldBack: string[];
  /** The canary's weights, in percent, before promotion. */
  steps: number[];
  promotion: "auto" | "manual";
  /** Time between checks, in milliseconds. */
  intervalMs: number;
  /** What each check asks of the canary, in words: "success rate ≥ 99 %", "p99 ≤ 500 ms". */
  checks: string[];
  reason: string;
}

export type PlanConclusion = "success" | "failure";
