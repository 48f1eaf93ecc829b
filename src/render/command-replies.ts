// What Slipway answers to a comment command: why it will not run one, and for `/canary`, what
// will happen, why nothing will, or where the canary stands.
import type { CanaryConfig } from "../config/canary-schema.js";
import { canaryWeights } from "../config/canary-schema.js";
import type { SteeringVerb, VerbRefusal } from "../canary/steer.js";
import type { CanaryPhase, CanaryState, CanaryVerb } from "../canary/types.js";
import { renderLadder, finalPhaseWords, formatValue, formatThreshold, stepWords } from "./canary-format.js";
import { canaryTitle } from "./canary-title.js";
import { codeSpan, escapeMarkdown, isSafeUrl } from "./escape.js";

export const commandHelp =
  "Slipway understands `/slipway plan` (re-plan this pull request) and, on a merged pull request whose apply started a canary, " +
  "`/canary promote [<workload>] [--full]`, `/canary abort`, `/canary pause`, `/canary resume`, `/canary retry`, `/canary status` and, once a canary failed, `/canary revert`.";

/** `username` is a GitHub login (letters, digits, hyphens), so it needs no escaping. */
export function renderNotAllowed(username: string): string {
  return `Sorry @${username}, only collaborators with write access can run Slipway commands, so nothing was run.`;
}

/** Why a line that starts like a command is not one Slipway can run (found by github/commands.ts). */
export type CommandProblem =
  | { code: "unknown-slipway-command" }
  | { code: "missing-verb" }
  | { code: "unknown-verb"; verb: string }
  | { code: "unknown-option"; option: string }
  | { code: "full-without-promote"; verb: CanaryVerb }
  | { code: "not-a-workload"; workload: string }
  | { code: "extra-arguments"; extra: string[] };

export function renderUnknownCommand(text: string, problem?: CommandProblem): string {
  const why = problem ? `${describeProblem(problem)} ` : "";
  return `Slipway did not understand ${codeSpan(text)}. ${why}${commandHelp}`;
}

function describeProblem(problem: CommandProblem): string {
  switch (problem.code) {
    case "unknown-slipway-command":
      return "";
    case "missing-verb":
      return "Say what to do with the canary.";
    case "unknown-verb":
      return `${codeSpan(problem.verb)} is not something a canary can do.`;
    case "unknown-option":
      return `${codeSpan(problem.option)} is not an option; \`--full\` (with promote) is the only one.`;
    case "full-without-promote":
      return `\`--full\` goes with \`/canary promote\` only, not with \`/canary ${problem.verb}\`.`;
    case "not-a-workload":
      return `${codeSpan(problem.workload)} is not a Deployment's name.`;
    case "extra-arguments":
      return `A command names at most one workload; ${problem.extra.map((word) => codeSpan(word)).join(", ")} is one word too many.`;
  }
}

/** The canary a reply is about: enough to name it and say where it stands. */
export interface CanaryReplyContext {
  state: CanaryState;
  config: CanaryConfig;
}

const canaryName = (state: Pick<CanaryState, "environment" | "workload">): string => `${codeSpan(state.workload)} in **${escapeMarkdown(state.environment)}**`;

/** A command that will be carried out, and what will happen. */
export function renderCanaryAccepted(params: CanaryReplyContext & { verb: SteeringVerb; full: boolean }): string {
  const { state, config } = params;
  const weights = canaryWeights(config.steps);
  const name = canaryName(state);
  switch (params.verb) {
    case "promote": {
      const next = weights[state.stepIndex + 1];
      if (params.full || state.phase === "awaiting-promotion" || next === undefined) {
        return `Promoting ${name} now: the stable Deployment takes revision ${codeSpan(state.revision.slice(0, 12))}, then gets all traffic back, and the canary scales to zero.`;
      }
      return `Moving ${name} to the next step: from ${state.weight} % to ${next} % of traffic (${renderLadder({ ...state, stepIndex: state.stepIndex + 1 }, config)}).`;
    }
    case "abort":
      return `Aborting ${name}: all traffic goes back to the stable Deployment and the canary scales to zero. The stable pods were never changed.`;
    case "pause":
      return `Pausing ${name} at ${state.weight} % of traffic: checks go on, and failing checks still roll it back. \`/canary resume\` goes on.`;
    case "resume":
      return `Resuming ${name} from ${state.weight} % of traffic: it moves on after the next passing check.`;
    case "retry":
      return `Retrying revision ${codeSpan(state.revision.slice(0, 12))} of ${name} from the first step (${weights[0] ?? 0} % of traffic).`;
  }
}

/** Why a `/canary` command changes nothing: the canary's phase (VerbRefusal), or which canary it is for. */
export type CanaryRefusal =
  | VerbRefusal
  | { reason: "not-allowed"; username: string }
  | { reason: "no-canary" }
  | { reason: "ambiguous"; environment: string; workloads: readonly string[] }
  | { reason: "unknown-workload"; workload: string; workloads: readonly string[] }
  | { reason: "revision-mismatch"; canaryCommit: string; pullRequestCommit: string }
  /** A button on the check run of an earlier merge, whose canary a newer one replaced. */
  | { reason: "stale-check-run"; canaryCommit: string; checkRunCommit: string }
  /** `/canary revert` of a canary that is running, promoted, aborted or superseded. */
  | { reason: "not-failed"; state: Pick<CanaryState, "environment" | "workload"> & { phase: Exclude<CanaryPhase, "failed"> } }
  /** `/canary revert` in an environment whose canary entry does not set `revertPullRequest: true`. */
  | { reason: "revert-not-enabled"; state: Pick<CanaryState, "environment" | "workload"> };

export function renderCanaryRefused(verb: CanaryVerb, refusal: CanaryRefusal): string {
  const command = codeSpan(`/canary ${verb}`);
  switch (refusal.reason) {
    case "not-allowed":
      return `Sorry @${refusal.username}, only collaborators with write access can steer a canary, so nothing changed.`;
    case "no-canary":
      return `${command} changed nothing: no canary runs for this pull request. A canary starts when the merge is applied and changes a workload listed under \`canary:\` in .github/slipway.yml.`;
    case "ambiguous":
      return `${command} changed nothing: this pull request has ${refusal.workloads.length} canaries in **${escapeMarkdown(refusal.environment)}** (${listWorkloads(refusal.workloads)}). Name one, for example ${codeSpan(`/canary ${verb} ${refusal.workloads[0] ?? "<workload>"}`)}.`;
    case "unknown-workload":
      return `${command} changed nothing: this pull request has no canary for ${codeSpan(refusal.workload)}${refusal.workloads.length > 0 ? `; it has ${listWorkloads(refusal.workloads)}` : ""}.`;
    case "final":
      return `${command} changed nothing: the canary of ${canaryName(refusal.state)} already ended: it ${finalPhaseWords[refusal.state.phase]}.${verb === "retry" ? "" : " `/canary retry` tries the revision again."}`;
    case "not-final":
      return `${command} changed nothing: the canary of ${canaryName(refusal.state)} is still running; \`/canary abort\` stops it.`;
    case "not-paused":
      return `${command} changed nothing: the canary of ${canaryName(refusal.state)} is not paused.`;
    case "not-failed":
      return `${command} changed nothing: ${notFailedWords(refusal.state)} Slipway reverts the merge of a canary that failed; revert by hand if you still want this one undone.`;
    case "revert-not-enabled":
      return `${command} changed nothing: revert pull requests are off for ${canaryName(refusal.state)}. To turn them on, set \`revertPullRequest: true\` in its \`canary:\` entry in .github/slipway.yml, and grant the Slipway GitHub App \`contents: write\` and \`pull_requests: write\` (app.yml asks for neither).`;
    case "stale-check-run":
      return `${command} changed nothing: this check run is for commit ${codeSpan(refusal.checkRunCommit.slice(0, 7))}, and the canary of that workload now tests ${codeSpan(refusal.canaryCommit.slice(0, 7))}, a newer merge.`;
    case "revision-mismatch":
      return `${command} changed nothing: this canary tests ${codeSpan(refusal.canaryCommit.slice(0, 7))}, this pull request merged ${codeSpan(refusal.pullRequestCommit.slice(0, 7))}. Comment on the pull request that merged ${codeSpan(refusal.canaryCommit.slice(0, 7))}.`;
  }
}

function notFailedWords(state: Pick<CanaryState, "environment" | "workload"> & { phase: Exclude<CanaryPhase, "failed"> }): string {
  const name = canaryName(state);
  switch (state.phase) {
    case "superseded":
      return `the canary of ${name} was superseded by a newer merge, so its revision is no longer the one rolled out.`;
    case "succeeded":
    case "aborted":
      return `the canary of ${name} did not fail: it ${finalPhaseWords[state.phase]}.`;
    case "starting":
    case "preflight":
    case "progressing":
    case "awaiting-promotion":
    case "paused":
    case "promoting":
    case "finalising":
    case "rolling-back":
      return `the canary of ${name} is still running (${state.phase}); a revert is offered if it fails, and \`/canary abort\` stops it now.`;
  }
}

const listWorkloads = (workloads: readonly string[]): string => workloads.slice(0, 20).map((name) => codeSpan(name)).join(", ") + (workloads.length > 20 ? `, and ${workloads.length - 20} more` : "");

/** `/canary status`: the check run in a few lines, linking it. */
export function renderCanaryStatus(params: CanaryReplyContext & { commandHint?: boolean }): string {
  const { state, config } = params;
  const title = canaryTitle(state, config, { commandHint: params.commandHint ?? true });
  const link = state.checkRun?.url && isSafeUrl(state.checkRun.url) ? ` ([check run](${state.checkRun.url}))` : "";
  const lines = [`**${escapeMarkdown(title)}**${link}`, "", `${canaryName(state)}, ${stepWords(state, config)}: ${renderLadder(state, config)}`];
  const last = state.checks.at(-1);
  if (last && last.metrics.length > 0) {
    const metrics = last.metrics.map((metric) => `${escapeMarkdown(metric.name)} ${escapeMarkdown(formatValue(metric.value, metric.unit))} (${escapeMarkdown(formatThreshold(metric))})`);
    lines.push("", `Latest check: ${metrics.join(", ")}; ${state.failedChecks} of ${config.threshold} failed checks.`);
  }
  return lines.join("\n");
}
