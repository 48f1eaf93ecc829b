// What a check run says when the Slipway server shut down while its job ran (SIGTERM past the
// shutdown deadline): a final state rather than "in progress" forever, and what happens next.
import type { FailureReport } from "./failures.js";

/** The title of every check run an interrupted job completes. */
export const interruptedTitle = "Interrupted: the Slipway server shut down; this will be retried";

/** An apply stopped before it could report object by object (reading the commit, waiting for the Lease). */
export function renderApplyInterrupted(params: { environment: string }): FailureReport {
  return {
    title: interruptedTitle,
    summary: `The Slipway server shut down while it was applying environment ${params.environment}, before anything was applied. Nothing was pruned. The next start of the server applies the branch's head again; to apply sooner, re-run this check once the server is back.`,
  };
}

/** An apply that found another apply of its environment under way once its check run had started. */
export function renderApplyLeaseHeld(params: { environment: string; holder: string | undefined }): FailureReport {
  return {
    title: "Waiting: another apply of this environment is under way; this will be retried",
    summary: `Another Slipway${params.holder ? ` (${params.holder})` : ""} is applying environment ${params.environment}; only one apply of an environment runs at a time (its Lease). Nothing was applied. This commit is applied when that apply is done, if it is still the branch's head; past ten minutes of waiting, the next reconcile tries again.`,
  };
}

/** A plan stopped by the shutdown. Plans are not retried by the server: a push, a re-run or `/slipway plan` plans again. */
export function renderPlanInterrupted(params: { environment: string }): FailureReport {
  return {
    title: "Interrupted: the Slipway server shut down; re-run to plan again",
    summary: `The Slipway server shut down while it was planning environment ${params.environment}. Nothing was changed in the cluster. Re-run this check or comment \`/slipway plan\` once the server is back; the next push plans again too.`,
  };
}
