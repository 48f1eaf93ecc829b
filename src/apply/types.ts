// What an apply did, per object and as a whole: data for the check run, the deployment status
// and the merged pull request's comment.
import type { CanaryDecision } from "../desired/canary.js";
import type { Finding } from "../manifests/types.js";
import type { ObjectRef } from "../manifests/object.js";
import type { FieldConflict } from "../plan/types.js";

/**
 * The closed vocabulary of what happened to one object (flux's ssa.Action). `not-attempted`:
 * nothing was sent for it, because the apply stopped first or pruning was skipped.
 */
export type ApplyAction = "created" | "configured" | "unchanged" | "pruned" | "failed" | "not-attempted" | "skipped";

export interface ObjectResult {
  ref: ObjectRef;
  /** `Kind/namespace/name`. */
  name: string;
  action: ApplyAction;
  /** For workloads, CRDs and Namespaces: whether they became ready, and why not. */
  readiness?: { ready: boolean; reason: string };
  /** Conflicts that failed the object, or (with `conflicts: force`) the fields taken over and from whom. */
  conflicts: FieldConflict[];
  /** What went wrong, or why the object was skipped; never contains Secret values. */
  message?: string;
  durationMs: number;
}

/**
 * - applied: every object applied and ready, pruning done.
 * - failed: something failed; `objects` says what was applied and what was not.
 * - refused: nothing was changed (invalid manifests, a rejected dry-run, a prune guard).
 * - skipped: the commit is older than the one last applied.
 * - interrupted: the server shut down mid-apply; `objects` says what was applied, nothing was
 *   pruned and no commit recorded, so the next start's reconcile applies the commit again.
 */
export type ApplyOutcome = "applied" | "failed" | "refused" | "skipped" | "interrupted";

export interface ApplyReport {
  environment: string;
  commit: string;
  outcome: ApplyOutcome;
  objects: ObjectResult[];
  findings: Finding[];
  /** Why the apply was refused, skipped or failed as a whole, and what to do. */
  message?: string;
  durationMs: number;
  /** What the apply decided for each canaried workload, with what starting its canary needs. */
  canaries?: CanaryDecision[];
}
