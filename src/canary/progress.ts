// The canary's progression as a pure function: the state, what the controller observed this
// tick (readiness, the route's actual weight, a check's results) and the time in, the next
// state out. Deadlines are timestamps in the state; the controller only observes and carries
// out what the state says (canary-effects.ts), so a restarted server resumes where it was.
import { canaryWeights, type CanaryConfig } from "../config/canary-schema.js";
import { finalPhases, type CanaryPhase, type CanaryState, type CheckRecord, type MetricResult, type Verdict } from "./types.js";

export interface ReadinessObservation {
  ready: boolean;
  /** Waiting longer will not help (crash loop, progress deadline exceeded). */
  failed: boolean;
  reason: string;
}

export interface Observation {
  now: number;
  canary: ReadinessObservation;
  stable: ReadinessObservation;
  /** The canary's weight the route holds now. */
  routeWeight: number;
  /** Replicas the canary Deployment has now (0 once scaled down). */
  canaryReplicas: number;
  /** A check's results, when the controller ran one this tick (it runs one when `checkDue` says so). */
  check?: { requests: number | null; metrics: MetricResult[] };
}

/** Checks kept in the state (and shown in the check run's history and charts). */
export const CHECK_HISTORY = 30;

const checkingPhases: ReadonlySet<CanaryPhase> = new Set(["preflight", "progressing", "awaiting-promotion", "paused"]);

/** Whether the controller should query Prometheus this tick: a checking phase, and an interval since the last check. */
export function checkDue(state: CanaryState, config: Pick<CanaryConfig, "interval">, now: number): boolean {
  if (state.phase === "preflight") return !state.abortRequested;
  const due = nextCheckAt(state, config);
  return due !== undefined && now >= due;
}

/**
 * When the next check is due, in milliseconds since the epoch: an interval after the last check
 * or the start of the step, whichever is later. Undefined when the phase checks nothing; in
 * preflight the check is due at once (the start of the phase).
 */
export function nextCheckAt(state: CanaryState, config: Pick<CanaryConfig, "interval">): number | undefined {
  if (!checkingPhases.has(state.phase) || state.abortRequested) return undefined;
  if (state.phase === "preflight") return Date.parse(state.phaseSince);
  const last = state.checks.at(-1);
  return Math.max(last ? Date.parse(last.at) : 0, Date.parse(state.stepSince ?? state.phaseSince)) + config.interval;
}

/** The next state. Never throws; an impossible observation just leaves the state as it is. */
export function advance(state: CanaryState, config: CanaryConfig, observation: Observation): CanaryState {
  if (finalPhases.has(state.phase)) return state;
  const now = observation.now;
  const at = new Date(now).toISOString();
  const to = (phase: CanaryPhase, changes: Partial<CanaryState>): CanaryState => ({ ...state, ...changes, phase, phaseSince: at });
  const rollBack = (outcome: "failed" | "aborted", message: string): CanaryState =>
    to("rolling-back", { weight: 0, message, abortRequested: outcome === "aborted", promoteRequested: undefined });

  if (state.abortRequested && state.phase !== "rolling-back") return rollBack("aborted", "Aborted: all traffic back to stable.");

  switch (state.phase) {
    case "starting": {
      // Ready at the stable's size: a canary created at the API server's default of one replica,
      // and ready before the controller scaled it, is not ready yet.
      const sized = observation.canaryReplicas === state.replicas;
      if (observation.canary.ready && sized) return to("preflight", { message: "Canary ready; trying every query once before any traffic moves." });
      if (observation.canary.failed || now > Date.parse(state.phaseSince) + config.progressDeadline) {
        return rollBack("failed", `Rolled back: the canary never became ready (${observation.canary.reason}).`);
      }
      const reason = observation.canary.ready ? `scaling to ${state.replicas} replicas` : observation.canary.reason;
      return { ...state, message: `Starting: ${reason}.` };
    }
    case "preflight": {
      if (!observation.check) return state;
      const record = checkRecord(state, config, observation.check, at);
      const failing = record.metrics.filter((metric) => metric.verdict === "error");
      if (failing.length > 0) {
        const stopped = rollBack("failed", `Stopped before any traffic moved: ${failing.map((metric) => `${metric.name}: ${metric.message ?? "the query failed"}`).join("; ")}.`);
        // Kept as a check (an error, whatever else it measured at 0 %), so the check run shows each query as sent beside Prometheus's answer.
        return { ...stopped, checks: [...state.checks, { ...record, verdict: "error" as const }].slice(-CHECK_HISTORY) };
      }
      return enterStep(state, config, 0, at, "Queries answer; first step.");
    }
    case "progressing":
    case "awaiting-promotion":
    case "paused":
      return judge(state, config, observation, at);
    case "promoting": {
      if (observation.stable.ready) return to("finalising", { weight: 0, message: "The stable Deployment runs the new revision; moving all traffic back to it." });
      if (observation.stable.failed || now > Date.parse(state.phaseSince) + config.progressDeadline) {
        // The stable pods now run the new revision and are not ready; the canary's are: keep traffic there.
        return to("failed", { weight: 100, message: `Promotion failed: the stable Deployment is not ready (${observation.stable.reason}); traffic stays on the canary until this is fixed.` });
      }
      return { ...state, message: `Promoting: ${observation.stable.reason}.` };
    }
    case "finalising": {
      if (observation.routeWeight === 0 && observation.canaryReplicas === 0) {
        return to("succeeded", { message: "Promoted: the stable Deployment runs the new revision with all traffic." });
      }
      return state;
    }
    case "rolling-back": {
      if (observation.routeWeight === 0 && observation.canaryReplicas === 0) return to(state.abortRequested ? "aborted" : "failed", { weight: 0 });
      return state;
    }
    case "succeeded":
    case "failed":
    case "aborted":
    case "superseded":
      return state;
  }
}

/** Progressing, awaiting promotion or paused: record the check, then promote, roll back, move on or wait. */
function judge(state: CanaryState, config: CanaryConfig, observation: Observation, at: string): CanaryState {
  const weights = canaryWeights(config.steps);
  let next = state;
  if (observation.check) {
    const record = checkRecord(state, config, observation.check, at);
    next = { ...next, checks: [...next.checks, record].slice(-CHECK_HISTORY) };
    switch (record.verdict) {
      case "fail": {
        const failedChecks = next.failedChecks + 1;
        const why = describeFailure(record.metrics);
        if (failedChecks >= config.threshold) {
          return { ...next, failedChecks, phase: "rolling-back", phaseSince: at, weight: 0, promoteRequested: undefined, message: `Rolled back: ${why} (${failedChecks} failed checks).` };
        }
        next = { ...next, failedChecks, noDataChecks: 0, message: `Check failed (${failedChecks} of ${config.threshold} before rollback): ${why}.` };
        break;
      }
      case "no-data":
      case "error":
        next = { ...next, noDataChecks: next.noDataChecks + 1, message: `Waiting: ${describeNoData(record, config)}. The canary does not move on without data.` };
        break;
      case "pass":
        next = { ...next, noDataChecks: 0, message: "Check passed." };
        break;
    }
  }
  if (next.promoteRequested === "full") return promote(next, at, "Promoting at once, as asked.");
  if (next.phase === "paused") return next;
  if (next.phase === "awaiting-promotion") return next.promoteRequested ? promote(next, at, "Promoting, as asked.") : { ...next, message: observation.check ? `${next.message} Waiting at the gate: comment /canary promote.` : next.message };
  // progressing: one step per passed check (a step lasts at least one interval), or one now, as asked.
  const passed = observation.check !== undefined && next.checks.at(-1)?.verdict === "pass";
  if (!passed && next.promoteRequested !== "step") return next;
  const stepIndex = next.stepIndex + 1;
  if (stepIndex < weights.length) return enterStep({ ...next, promoteRequested: undefined }, config, stepIndex, at, next.promoteRequested === "step" ? "Next step, as asked." : "Check passed; next step.");
  if (config.promotion === "manual" && next.promoteRequested !== "step") {
    return { ...next, phase: "awaiting-promotion", phaseSince: at, message: "Every step passed; waiting at the gate: comment /canary promote (or press Promote)." };
  }
  return promote(next, at, "Every step passed; promoting.");
}

function enterStep(state: CanaryState, config: CanaryConfig, stepIndex: number, at: string, message: string): CanaryState {
  const weight = canaryWeights(config.steps)[stepIndex] ?? state.weight;
  return { ...state, phase: "progressing", phaseSince: state.phase === "progressing" ? state.phaseSince : at, stepIndex, weight, stepSince: at, message };
}

function promote(state: CanaryState, at: string, message: string): CanaryState {
  return { ...state, phase: "promoting", phaseSince: at, promoteRequested: undefined, pausedFrom: undefined, message };
}

function checkRecord(state: CanaryState, config: Pick<CanaryConfig, "minRequests">, check: NonNullable<Observation["check"]>, at: string): CheckRecord {
  const enoughTraffic = check.requests !== null && check.requests >= config.minRequests;
  const metrics = enoughTraffic ? check.metrics : check.metrics.map((metric) => (metric.verdict === "error" ? metric : { ...metric, verdict: "no-data" as const }));
  return { at, stepIndex: state.stepIndex, weight: state.weight, requests: check.requests, metrics, verdict: enoughTraffic ? overall(metrics) : "no-data" };
}

/** A failing metric fails the check; then no data or an error leaves it undecided; else it passes. */
function overall(metrics: MetricResult[]): Verdict {
  if (metrics.some((metric) => metric.verdict === "fail")) return "fail";
  if (metrics.some((metric) => metric.verdict === "error")) return "error";
  if (metrics.some((metric) => metric.verdict === "no-data")) return "no-data";
  return "pass";
}

function describeFailure(metrics: MetricResult[]): string {
  return metrics
    .filter((metric) => metric.verdict === "fail")
    .map((metric) => {
      const unit = metric.unit ? ` ${metric.unit}` : "";
      const bound = metric.min !== undefined && (metric.value ?? 0) < metric.min ? `< ${metric.min}${unit}` : `> ${metric.max ?? "?"}${unit}`;
      return `${metric.name} ${format(metric.value)}${unit} ${bound}`;
    })
    .join(", ");
}

function describeNoData(record: CheckRecord, config: Pick<CanaryConfig, "minRequests">): string {
  const failed = record.metrics.find((metric) => metric.verdict === "error");
  if (failed) return `${failed.name} could not be read (${failed.message ?? "query failed"})`;
  if (record.requests === null || record.metrics.every((metric) => metric.value === null)) return "no traffic reached the canary";
  const empty = record.metrics.find((metric) => metric.verdict === "no-data" && metric.value === null);
  if (empty) return `${empty.name} returned no data (${empty.query})`;
  // increase() extrapolates to the window's edges (3.118 for 3 requests): whole requests, as the metrics' messages say them.
  return `too little traffic (${Math.floor(record.requests)} requests in the window, ${config.minRequests} needed)`;
}

const format = (value: number | null): string => (value === null ? "no data" : Number.isInteger(value) ? String(value) : value.toFixed(2));
