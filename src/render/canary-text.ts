// A canary for a terminal (`slipway canary`): where it stands, what a command will do, and why a
// command changes nothing. The same words and numbers as its check run (canary-format.ts,
// canary-title.ts), as plain lines; every value from the state is made safe for a terminal.
import { canaryWeights, type CanaryConfig } from "../config/canary-schema.js";
import { nextCheckAt } from "../canary/progress.js";
import type { SteeringVerb, VerbRefusal } from "../canary/steer.js";
import type { CanaryState, MetricResult } from "../canary/types.js";
import { finalPhaseWords, formatIn, formatThreshold, formatTime, formatValue, ladderPosition, stepWords } from "./canary-format.js";
import { canaryTitle } from "./canary-title.js";
import { plural } from "./plural.js";
import { terminalLine } from "./terminal.js";

/** `slipway canary status`: the state, the latest check against its thresholds, and the audit trail. */
export function renderCanaryStatusText(state: CanaryState, context: { now: number }): string {
  const { config } = state;
  const head = `Deployment/${state.namespace}/${state.workload} in ${state.environment}: ${canaryTitle(state, config, { commandHint: false })}`;
  const due = nextCheckAt(state, config);
  const facts: Array<[string, string]> = [
    ["Phase", `${state.phase}${state.pausedFrom ? ` (from ${state.pausedFrom})` : ""} since ${formatTime(state.phaseSince, context.now)}`],
    ["Step", `${stepWords(state, config)} at ${state.weight} % of traffic: ${plainLadder(state, config)}`],
    ["Revision", `${state.revision.slice(0, 12)} (commit ${state.commit.slice(0, 7)} of ${state.repository}${state.pullRequest !== undefined ? `, pull request #${state.pullRequest}` : ""})`],
    ["Checks", `${state.failedChecks} of ${config.threshold} failed${due !== undefined && Number.isFinite(due) ? `; next check ${formatIn(due, context.now)}` : ""}`],
    ...pendingRequests(state),
    ["Message", state.message],
    ...(state.checkRun?.url ? [["Check run", state.checkRun.url] as [string, string]] : []),
  ];
  return [head, "", ...table(facts.map(([name, value]) => [`${name}:`, value])), "", ...latestCheck(state, context.now), ...history(state, context.now)].join("\n") + "\n";
}

/** `5 → 10 → [25] → 50 → promote (manual)`: the weights in percent, the current one in brackets. */
function plainLadder(state: CanaryState, config: CanaryConfig): string {
  const position = ladderPosition(state);
  const rung = (text: string, on: boolean) => (on ? `[${text}]` : text);
  const rungs = canaryWeights(config.steps).map((weight, index) => rung(String(weight), position === index));
  return [...rungs, rung(config.promotion === "manual" ? "promote (manual)" : "promote", position === "promote")].join(" → ");
}

/** What people asked for that the controller has not carried out yet (it does at its next tick). */
function pendingRequests(state: CanaryState): Array<[string, string]> {
  const asked = [
    state.abortRequested && state.phase !== "rolling-back" && "abort",
    state.promoteRequested === "full" && "promote now",
    state.promoteRequested === "step" && "promote one step",
    state.retryRequested && "retry at the next apply",
  ].filter((words): words is string => Boolean(words));
  return asked.length > 0 && !["succeeded", "superseded"].includes(state.phase) ? [["Requested", asked.join(", ")]] : [];
}

function latestCheck(state: CanaryState, now: number): string[] {
  const last = state.checks.at(-1);
  if (!last) return ["No check yet.", ""];
  const requests = last.requests === null ? "no request count" : plural(last.requests, "request");
  const head = `Latest check, ${formatTime(last.at, now)}, step ${last.stepIndex + 1} at ${last.weight} %, ${requests}: ${last.verdict}`;
  const rows = last.metrics.map((metric) => [metric.name, formatValue(metric.value, metric.unit), formatThreshold(metric), metricVerdict(metric)]);
  return [head, ...table(rows), ""];
}

const metricVerdict = (metric: MetricResult): string => (metric.verdict !== "pass" && metric.message ? `${metric.verdict}: ${metric.message}` : metric.verdict);

function history(state: CanaryState, now: number): string[] {
  if (state.events.length === 0) return ["No events yet."];
  const rows = [...state.events].reverse().map((event) => [formatTime(event.at, now), event.by, event.via, event.what]);
  return ["History, newest first:", ...table(rows)];
}

/** Rows as columns padded to their widest cell, indented, each cell on one safe line. */
function table(rows: string[][]): string[] {
  const cells = rows.map((row) => row.map(terminalLine));
  const widths = cells.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(max[index] ?? 0, cell.length)), []);
  return cells.map((row) => `  ${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join("  ")}`.trimEnd());
}

const canaryOf = (state: Pick<CanaryState, "workload" | "environment">): string => terminalLine(`${state.workload} in ${state.environment}`);

/** What a command that was recorded will do, once the server's next tick reads it. */
export function renderSteeredText(params: { before: CanaryState; verb: SteeringVerb; full: boolean; by: string }): string {
  const what = steeredWords(params.before, params.verb, params.full);
  return `${what}\nRecorded as ${terminalLine(params.by)} via the command line: the server carries it out at the canary's next tick, and its check run shows who asked.\n`;
}

function steeredWords(state: CanaryState, verb: SteeringVerb, full: boolean): string {
  const name = canaryOf(state);
  const next = canaryWeights(state.config.steps)[state.stepIndex + 1];
  switch (verb) {
    case "promote":
      if (full || state.phase === "awaiting-promotion" || next === undefined) {
        return `Promoting ${name}: the stable Deployment takes revision ${terminalLine(state.revision.slice(0, 12))}, then gets all traffic back, and the canary scales to zero.`;
      }
      return `Moving ${name} to the next step: from ${state.weight} % to ${next} % of traffic.`;
    case "abort":
      return `Aborting ${name}: all traffic goes back to the stable Deployment and the canary scales to zero. The stable pods were never changed.`;
    case "pause":
      return `Pausing ${name} at ${state.weight} % of traffic: checks go on, and failing checks still roll it back. \`slipway canary resume ${terminalLine(state.workload)}\` goes on.`;
    case "resume":
      return `Resuming ${name} from ${state.weight} % of traffic: it moves on after the next passing check.`;
    case "retry":
      return `Retrying revision ${terminalLine(state.revision.slice(0, 12))} of ${name} at the environment's next apply.`;
  }
}

/** Why a command changed nothing, as the canary's phase says. */
export function renderVerbRefusedText(verb: SteeringVerb, refusal: VerbRefusal): string {
  const command = `slipway canary ${verb}`;
  switch (refusal.reason) {
    case "final": {
      const again = refusal.state.phase === "failed" || refusal.state.phase === "aborted" ? " `/canary retry` on its pull request tries the revision again." : "";
      return `${command} changed nothing: the canary of ${canaryOf(refusal.state)} already ended: it ${finalPhaseWords[refusal.state.phase]}.${again}\n`;
    }
    case "not-final":
      return `${command} changed nothing: the canary of ${canaryOf(refusal.state)} is still running (${refusal.state.phase}); \`slipway canary abort\` stops it.\n`;
    case "not-paused":
      return `${command} changed nothing: the canary of ${canaryOf(refusal.state)} is not paused (it is ${refusal.state.phase}).\n`;
  }
}

/** Why `slipway canary` found no one canary to act on. */
export type CanaryLookupProblem =
  | { reason: "none"; namespace: string; workload: string; environment?: string; others: Array<{ workload: string; environment: string }> }
  | { reason: "several-environments"; namespace: string; workload: string; environments: string[] };

export function renderLookupProblemText(problem: CanaryLookupProblem): string {
  const where = `namespace ${terminalLine(problem.namespace)}`;
  switch (problem.reason) {
    case "none": {
      const inEnvironment = problem.environment ? ` of environment ${terminalLine(problem.environment)}` : "";
      const others = problem.others.map((other) => terminalLine(`${other.workload} (${other.environment})`));
      const there = others.length > 0 ? ` Canaries there: ${others.join(", ")}.` : ` Slipway keeps a canary's state in its environment's inventory namespace (inventoryNamespace in .github/slipway.yml, else its namespace): name it with --namespace.`;
      return `No canary of ${terminalLine(problem.workload)}${inEnvironment} in ${where}.${there}\n`;
    }
    case "several-environments":
      return `${terminalLine(problem.workload)} has canaries in ${problem.environments.length} environments in ${where}: ${problem.environments.map(terminalLine).join(", ")}. Name one with --environment, for example --environment ${terminalLine(problem.environments[0] ?? "")}.\n`;
  }
}
