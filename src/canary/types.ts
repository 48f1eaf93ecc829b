// A canary's state, as kept in the cluster (one ConfigMap per canary, written with optimistic
// concurrency) and mirrored, for people, in a check run. Everything a restarted server needs to
// resume is here; every wait is a deadline computed from a timestamp here, never a timer.
import type { CanaryConfig } from "../config/canary-schema.js";

/**
 * - starting: the canary Deployment is being rolled out beside the stable one, at 0 % traffic.
 * - preflight: every query is tried once, before any user sees the canary.
 * - progressing: at step `stepIndex` with `weight` % of traffic, checked every interval.
 * - awaiting-promotion: after the last step of a manual canary, checks go on until a person promotes.
 * - paused: a person paused it; checks go on, and failures still roll it back; `pausedFrom` resumes.
 * - promoting: the stable Deployment takes the new revision and becomes ready.
 * - finalising: the stable takes all traffic back; the canary is scaled to zero.
 * - rolling-back: all traffic to stable, the canary scaled to zero; ends as failed or aborted.
 * - succeeded, failed, aborted, superseded: final.
 */
export type CanaryPhase =
  | "starting"
  | "preflight"
  | "progressing"
  | "awaiting-promotion"
  | "paused"
  | "promoting"
  | "finalising"
  | "rolling-back"
  | "succeeded"
  | "failed"
  | "aborted"
  | "superseded";

export const finalPhases: ReadonlySet<CanaryPhase> = new Set(["succeeded", "failed", "aborted", "superseded"]);

/**
 * What a person can ask of a canary: by comment (`/canary <verb>`), button or command line
 * (`revert`, a pull request that undoes a failed canary's merge, only on GitHub).
 */
export const canaryVerbs = ["promote", "abort", "pause", "resume", "retry", "status", "revert"] as const;
export type CanaryVerb = (typeof canaryVerbs)[number];

export type Verdict = "pass" | "fail" | "no-data" | "error";

/** One metric at one check. */
export interface MetricResult {
  name: string;
  /** The PromQL as sent, template variables filled in. */
  query: string;
  /** The value, or null when Prometheus returned no data (or NaN). */
  value: number | null;
  min?: number;
  max?: number;
  /** How the value reads: "%", "ms", or a custom metric's nothing. */
  unit?: string;
  verdict: Verdict;
  /** Why: the error, or "no traffic: 3 requests in 1m, 20 needed". */
  message?: string;
}

/** One check: every metric, at one step. */
export interface CheckRecord {
  at: string;
  stepIndex: number;
  weight: number;
  /** Requests the canary served in the window (the gate for its metrics). */
  requests: number | null;
  metrics: MetricResult[];
  verdict: Verdict;
}

/** Who did something to a canary, and from where: the audit trail the check run shows. */
export interface CanaryEvent {
  at: string;
  /** A GitHub login, "slipway" for the controller, or `<user>@<host>` on the command line. */
  by: string;
  /** "pull request comment", "check run button", "command line", "controller". */
  via: string;
  what: string;
}

export interface CanaryState {
  version: 1;
  environment: string;
  namespace: string;
  /** The stable Deployment's name; the canary's is `<workload>-canary`. */
  workload: string;
  repository: string;
  installation?: number;
  /** The kube context: the server's policy, not this record, says with which identity and which Prometheus. */
  context: string;
  /** The canary's configuration at the commit that started it. */
  config: CanaryConfig;
  /** The route's rules as Git had them: what the router splits, and what it restores at weight 0. */
  routeBase: unknown[];
  /** Replicas the canary runs while it is tested: the stable Deployment's. */
  replicas: number;
  /** The environment's branch: promotion applies its head. */
  branch: string;
  /** The commit whose apply started this canary, and the pull request it was merged from. */
  commit: string;
  pullRequest?: number;
  /** The revision under test: a hash of the desired pod template, config hash included. */
  revision: string;
  phase: CanaryPhase;
  phaseSince: string;
  stepIndex: number;
  /** The canary's share of traffic now, in percent. */
  weight: number;
  stepSince?: string;
  failedChecks: number;
  /** Checks in a row without enough traffic to judge. */
  noDataChecks: number;
  /** The last checks, newest last (a bounded history). */
  checks: CheckRecord[];
  pausedFrom?: Exclude<CanaryPhase, "paused">;
  /** Set by an abort; the canary rolls back to stable as soon as it reads it. */
  abortRequested?: boolean;
  /** A person asked for a failed or aborted canary to run again (`/canary retry`): the next apply starts it. */
  retryRequested?: boolean;
  /** A person asked to move on now: one step, or (`full`) straight to promotion. */
  promoteRequested?: "step" | "full";
  /** Why it is where it is, for people: "waiting: no traffic", "rolled back: success rate 91.2 % < 99 %". */
  message: string;
  events: CanaryEvent[];
  /** Ids of the commands already carried out (comment ids, button deliveries), so none runs twice. */
  commandsSeen: string[];
  /**
   * Set when the merge went back to a revision that ran with all traffic recently (kept on the stable
   * Deployment, desired/promoted-revisions.ts): the state starts at promotion, without steps or checks.
   */
  revert?: { promotedAt?: string };
  /** The GitHub deployment the apply that started it created: its status follows the canary's outcome. */
  deployment?: number;
  /** The check run that mirrors the state; `completed` once GitHub has it completed (a completed run is not reopened: the next is a new one). */
  checkRun?: { id: number; url: string; updatedAt?: string; fingerprint?: string; completed?: boolean; milestone?: string };
}
