// A canary at a glance: the check run's status and conclusion, and a title a person reads in the
// checks list without opening anything ("Canary at 25 % — step 3 of 4, checks passing").
import type { CanaryConfig } from "../config/canary-schema.js";
import type { CanaryEvent, CanaryPhase, CanaryState } from "../canary/types.js";
import { describeBreach, formatTime, stepWords } from "./canary-format.js";
import { flattenText } from "./escape.js";
import { CHECK_RUN_TITLE_MAX, truncateText } from "./limits.js";

export type CanaryCheckRunStatus = "in_progress" | "completed";
export type CanaryConclusion = "success" | "failure" | "cancelled" | "neutral" | "action_required";

/**
 * A final phase's conclusion; undefined while the canary runs. At the manual gate the run is
 * completed as "action required": GitHub shows a check run's buttons only once it is completed
 * (the next phase opens a new run).
 */
export function canaryConclusion(phase: CanaryPhase): CanaryConclusion | undefined {
  switch (phase) {
    case "succeeded":
      return "success";
    case "failed":
      return "failure";
    case "aborted":
      return "cancelled";
    case "superseded":
      // Not "cancelled": nobody stopped it, a newer merge took its place, and its own check run says how that one goes.
      return "neutral";
    case "awaiting-promotion":
      return "action_required";
    case "starting":
    case "preflight":
    case "progressing":
    case "paused":
    case "promoting":
    case "finalising":
    case "rolling-back":
      return undefined;
  }
}

export const canaryStatus = (phase: CanaryPhase): CanaryCheckRunStatus => (canaryConclusion(phase) ? "completed" : "in_progress");

/** One emoji per phase, for headings. */
export function canaryIcon(phase: CanaryPhase): string {
  switch (phase) {
    case "starting":
    case "preflight":
      return "🔄";
    case "progressing":
      return "🚦";
    case "awaiting-promotion":
      return "✋";
    case "paused":
      return "⏸️";
    case "promoting":
    case "finalising":
      return "⏩";
    case "rolling-back":
      return "↩️";
    case "succeeded":
      return "✅";
    case "failed":
      return "❌";
    case "aborted":
      return "⛔";
    case "superseded":
      return "⏭️";
  }
}

export interface TitleContext {
  /** Name the comment commands (the canary has a pull request to comment on); otherwise the buttons. */
  commandHint: boolean;
}

/** Plain text (GitHub shows a title as it is), on one line, within GitHub's limit. */
export function canaryTitle(state: CanaryState, config: CanaryConfig, context: TitleContext): string {
  return truncateText(flattenText(titleWords(state, config, context)), CHECK_RUN_TITLE_MAX);
}

function titleWords(state: CanaryState, config: CanaryConfig, context: TitleContext): string {
  const at = `${state.weight} % — ${stepWords(state, config)}`;
  if (state.revert && (state.phase === "promoting" || state.phase === "finalising" || state.phase === "succeeded")) return revertWords(state.revert, state.phase);
  switch (state.phase) {
    case "starting":
      return "Starting: the canary's pods are rolling out, no traffic yet";
    case "preflight":
      return "Trying every query before any traffic moves";
    case "progressing":
      return `Canary at ${at}, ${checkWords(state, config)}`;
    case "awaiting-promotion":
      return `Waiting at the gate for ${context.commandHint ? "/canary promote" : "Promote"} — canary at ${state.weight} %, ${checkWords(state, config)}`;
    case "paused":
      return `Paused at ${at}; ${context.commandHint ? "/canary resume" : "Resume"} goes on`;
    case "promoting":
      return "Promoting: the stable Deployment takes the new revision";
    case "finalising":
      return "Promoted; moving all traffic back to the stable Deployment";
    case "rolling-back":
      return state.abortRequested ? "Aborting: all traffic back to the stable Deployment" : `Rolling back: ${failureWords(state)}`;
    case "succeeded":
      return "Promoted: the new revision serves all traffic";
    case "failed":
      return failedTitle(state);
    case "aborted": {
      // The person who asked, not the controller's own record of the phases it moved through ("Aborted: all traffic back to stable.").
      const who = lastEvent(state.events.filter((event) => event.via !== "controller"), /abort/i)?.by;
      return `Aborted${who ? ` by ${who}` : ""}: all traffic back to the stable Deployment`;
    }
    case "superseded":
      return "Superseded by a newer merge";
  }
}

/** A revert is promoted without steps or checks: the title says why. */
function revertWords(revert: NonNullable<CanaryState["revert"]>, phase: "promoting" | "finalising" | "succeeded"): string {
  const why = revert.promotedAt ? `revert to a revision promoted at ${formatTime(revert.promotedAt, Number.NaN)}` : "Git is back at the stable revision";
  const done = phase === "succeeded" ? "promoted at once, without analysis" : "promoting at once, without analysis";
  return `${why.charAt(0).toUpperCase()}${why.slice(1)}: ${done}`;
}

/** How the checks go: "checks passing", "1 of 2 checks failed", "waiting for traffic". */
export function checkWords(state: CanaryState, config: Pick<CanaryConfig, "threshold" | "minRequests">): string {
  const last = state.checks.at(-1);
  const failed = `${state.failedChecks} of ${config.threshold} checks failed`;
  switch (last?.verdict) {
    case undefined:
      return "no check yet";
    case "fail":
      return failed;
    case "no-data":
      return last.requests === null || last.requests < config.minRequests ? "waiting for traffic" : "waiting for data";
    case "error":
      return "a query failed";
    case "pass":
      return state.failedChecks > 0 ? `checks passing (${failed})` : "checks passing";
  }
}

/** What made the canary fail: the latest failing check's breaches, or its own message. */
function failureWords(state: CanaryState): string {
  const failing = [...state.checks].reverse().find((check) => check.verdict === "fail");
  const breaches = failing?.metrics.filter((metric) => metric.verdict === "fail").map(describeBreach) ?? [];
  if (breaches.length > 0) return breaches.join(", ");
  return firstSentence(state.message.replace(/^Rolled back:\s*/i, "")) || "a check failed";
}

function failedTitle(state: CanaryState): string {
  // Failed before any check judged it (never ready, a query that does not answer, a failed promotion): its message says why.
  if (!state.checks.some((check) => check.verdict === "fail")) return firstSentence(state.message) || "Failed";
  return `Rolled back: ${failureWords(state)}`;
}

const firstSentence = (text: string): string => text.split(/\.(?:\s|$)/, 1)[0]?.trim() ?? "";

export function lastEvent(events: readonly CanaryEvent[], what: RegExp): CanaryEvent | undefined {
  return [...events].reverse().find((event) => what.test(event.what));
}
