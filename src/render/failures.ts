// What a check run says when Slipway could not produce a report at all: what failed, and what
// to do next. The cause's message is the caller's (never a Secret value: the planner scrubs them).
import { truncateText } from "./limits.js";

export interface FailureReport {
  title: string;
  summary: string;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An environment's plan failed unexpectedly (not a finding, not a cluster outage the plan reports itself). */
export function renderPlanFailure(params: { environment: string; error: unknown }): FailureReport {
  return {
    title: "Slipway could not plan this environment",
    summary: `Slipway could not plan environment ${params.environment}: ${describe(params.error)}. Re-run the check; if it keeps failing, the Slipway server's log has the details.`,
  };
}

/** An environment's apply failed before it could report object by object. */
export function renderApplyFailure(params: { environment: string; error: unknown }): FailureReport {
  return {
    title: "Slipway could not apply this environment",
    summary: `Slipway could not apply environment ${params.environment}: ${describe(params.error)}. Push again or re-run this check once the cause is fixed.`,
  };
}

/** A pull request's job failed before its environments were known, or outside any of them. */
export function renderJobFailure(params: { error: unknown; delivery: string }): FailureReport {
  return {
    title: "Slipway could not plan this pull request",
    summary: `${truncateText(describe(params.error), 2000)}\n\nRe-run this check, or comment \`/slipway plan\`. Delivery ${params.delivery}.`,
  };
}
