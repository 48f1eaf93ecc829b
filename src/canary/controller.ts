// One tick of a canary: read its state, observe the cluster (both Deployments, the route) and,
// when a check is due, Prometheus; compute the next state (progress.ts); carry out what it says
// (the route's weights, the canary's replicas, promotion); write the state back with the version
// it was read at. Every tick starts from the cluster, so a restarted server, or another copy of
// it, resumes where the last tick left off; a write that lost the race is dropped.
import { readiness } from "../apply/readiness.js";
import { canaryName, canaryOfLabel, configCopyName, revisionAnnotation } from "../desired/canary.js";
import type { ObjectStore } from "../kube/objects.js";
import { isInvalid, isNotFound } from "../kube/errors.js";
import type { KubeObject } from "../manifests/object.js";
import { numberAt } from "../manifests/fields.js";
import { runCheck, type PrometheusClient } from "./metrics.js";
import { advance, checkDue, nextCheckAt, type Observation, type ReadinessObservation } from "./progress.js";
import { readRouteWeight, setRouteWeight } from "./router.js";
import type { RouteRule } from "../desired/route-kinds.js";
import { CanaryStateConflict, readCanaryState, writeCanaryState, type StoredCanaryState } from "./state-store.js";
import { finalPhases, type CanaryEvent, type CanaryState, type MetricResult } from "./types.js";

/** The canary's own field managers: one for its objects and the route's rules, one for its replicas. */
export const canaryFieldManager = (fieldManager: string): string => `${fieldManager}-canary`;
export const canaryScaleManager = (fieldManager: string): string => `${fieldManager}-canary-scale`;

/** Events kept in a state (the check run shows them as the audit trail). */
export const EVENT_HISTORY = 50;

export interface CanaryRuntime {
  /** The cluster, as the repository's identity. */
  store: ObjectStore;
  /** The Prometheus the server's policy gives the context; undefined when it gives none. */
  prometheus?: PrometheusClient;
  scrapeIntervalMs?: number;
  /** Why there is no Prometheus, for the check's message. */
  prometheusMissing?: string;
}

export interface ControllerDeps {
  /** The field manager Slipway applies Git with; the canary's are derived from it. */
  fieldManager: string;
  now?: () => number;
  /** Promotion: an apply of the environment's branch, in which the stable Deployment takes the canary's revision. */
  promote: (state: CanaryState) => Promise<void> | void;
  /** Once, when the canary becomes final (after its state is written): the deployment status, the comment. */
  finished?: (state: CanaryState) => Promise<void> | void;
  /** Mirrors the state for people (the check run); what it returns is kept in the state. */
  report?: (state: CanaryState) => Promise<CanaryState["checkRun"]>;
  /** How often a canary waiting on the cluster is looked at (default 5 s). */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface TickResult {
  state: CanaryState;
  /** When to tick again; undefined once the canary is final. */
  nextTickMs?: number;
}

/** One tick; undefined when there is no such canary, or another writer moved it first. */
export async function tickCanary(runtime: CanaryRuntime, deps: ControllerDeps, where: { namespace: string; name: string }): Promise<TickResult | undefined> {
  const stored = await readCanaryState(runtime.store, where);
  if (!stored) return undefined;
  const state = stored.state;
  if (finalPhases.has(state.phase)) return { state };
  const now = (deps.now ?? Date.now)();
  const observation = await observe(runtime, state, now, deps.signal);
  let next = advance(state, state.config, observation);
  if (observation.routeProblem && !finalPhases.has(next.phase) && next.phase !== "rolling-back") {
    next = { ...next, phase: "rolling-back", phaseSince: new Date(now).toISOString(), weight: 0, message: `Rolled back: ${observation.routeProblem}` };
  }
  next = withTransitionEvent(state, next, now);
  await carryOut({ runtime, deps, state, next, observation });
  let written: StoredCanaryState;
  try {
    written = await writeCanaryState(runtime.store, where, next, stored.resourceVersion);
  } catch (error) {
    if (error instanceof CanaryStateConflict) return undefined;
    throw error;
  }
  // Only the tick whose write won reports: a copy of the server that lost the race never opens a
  // check run of its own (which nothing would ever complete).
  if (deps.report) next = await reportWritten(runtime.store, written, deps.report);
  if (next.phase === "promoting" && state.phase !== "promoting") await deps.promote(next);
  // From the tick's end, not its start: the caller schedules the next tick now, and a delay
  // counted from the start made every tick late by the one before it (bench/results/canary.md).
  if (finalPhases.has(next.phase)) await deps.finished?.(next);
  const end = (deps.now ?? Date.now)();
  return { state: next, ...(finalPhases.has(next.phase) ? {} : { nextTickMs: nextTickIn(next, end, deps.pollMs ?? 5_000) }) };
}

/**
 * Mirrors a written state in its check run, and keeps the run in the state so that the next tick
 * updates it. A tick that wrote in between keeps the run too, unless it reports another one.
 */
async function reportWritten(store: ObjectStore, written: StoredCanaryState, report: NonNullable<ControllerDeps["report"]>): Promise<CanaryState> {
  const reported = written.state.checkRun;
  const checkRun = await report(written.state);
  if (!checkRun || JSON.stringify(checkRun) === JSON.stringify(reported)) return written.state;
  let current: StoredCanaryState | undefined = written;
  for (let attempt = 0; attempt < 3 && current && current.state.checkRun?.id === reported?.id; attempt++) {
    const next = { ...current.state, checkRun };
    try {
      await writeCanaryState(store, current, next, current.resourceVersion);
      return next;
    } catch (error) {
      if (!(error instanceof CanaryStateConflict)) throw error;
      current = await readCanaryState(store, current);
    }
  }
  return { ...written.state, checkRun };
}

type Observed = Observation & { routeProblem?: string };

async function observe(runtime: CanaryRuntime, state: CanaryState, now: number, signal?: AbortSignal): Promise<Observed> {
  const { store } = runtime;
  const names = { namespace: state.namespace, service: state.config.service, canaryService: canaryName(state.config.service) };
  const [canary, stable, route] = await Promise.all([
    store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: state.namespace, name: canaryName(state.workload) }),
    store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: state.namespace, name: state.workload }),
    readRouteWeight(store, state.config.router, names),
  ]);
  const observation: Observed = {
    now,
    canary: canary ? deploymentReadiness(canary) : { ready: false, failed: true, reason: `Deployment ${canaryName(state.workload)} does not exist` },
    stable: stable ? stableReadiness(stable, state.revision) : { ready: false, failed: true, reason: `Deployment ${state.workload} does not exist` },
    routeWeight: route.ok ? route.weight : 0,
    canaryReplicas: canary ? (numberAt(canary, ["spec", "replicas"]) ?? 1) : 0,
  };
  if (!route.ok) observation.routeProblem = route.problem.message;
  if (checkDue(state, state.config, now)) observation.check = await check(runtime, state, signal);
  return observation;
}

async function check(runtime: CanaryRuntime, state: CanaryState, signal?: AbortSignal): Promise<NonNullable<Observation["check"]>> {
  if (!runtime.prometheus) {
    const message = runtime.prometheusMissing ?? `the server's policy gives context ${state.context} no Prometheus (contexts.${state.context}.prometheus)`;
    const metrics: MetricResult[] = [{ name: "prometheus", query: "", value: null, verdict: "error", message }];
    return { requests: null, metrics };
  }
  return runCheck(
    runtime.prometheus,
    state.config,
    {
      namespace: state.namespace,
      workload: state.workload,
      canary: canaryName(state.workload),
      service: state.config.service,
      intervalMs: state.config.interval,
      ...(runtime.scrapeIntervalMs ? { scrapeIntervalMs: runtime.scrapeIntervalMs } : {}),
    },
    signal,
  );
}

/** Ready: rolled out, with at least one replica. */
function deploymentReadiness(deployment: KubeObject): ReadinessObservation {
  const state = readiness(deployment);
  if (state.ready && (numberAt(deployment, ["spec", "replicas"]) ?? 1) === 0) return { ready: false, failed: false, reason: "scaled to zero" };
  return state;
}

/** The stable Deployment is ready for the canary's revision only once it runs it. */
function stableReadiness(deployment: KubeObject, revision: string): ReadinessObservation {
  const running = deployment.metadata.annotations?.[revisionAnnotation];
  if (running !== revision) return { ready: false, failed: false, reason: `the stable Deployment runs revision ${running ?? "unknown"}, not ${revision} yet` };
  return deploymentReadiness(deployment);
}

/** Makes the cluster what `next` says: the route's weight, the canary's replicas, the copies gone at the end. */
async function carryOut(params: { runtime: CanaryRuntime; deps: ControllerDeps; state: CanaryState; next: CanaryState; observation: Observed }): Promise<void> {
  const { runtime, deps, next, observation } = params;
  const { store } = runtime;
  const manager = canaryFieldManager(deps.fieldManager);
  const setWeight = async (weight: number) => {
    if (observation.routeProblem && weight === observation.routeWeight) return;
    const result = await setRouteWeight(store, next.config.router, {
      namespace: next.namespace,
      service: next.config.service,
      canaryService: canaryName(next.config.service),
      base: next.routeBase as RouteRule[],
      weight,
      fieldManager: manager,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    // A route that went missing or cannot take the weights: the next tick rolls the canary back.
    if (!result.ok) observation.routeProblem ??= result.problem.message;
  };
  switch (next.phase) {
    case "starting":
      // A canary that replaced one still holding traffic starts again from none.
      if (observation.routeWeight !== 0) await setWeight(0);
      if (observation.canaryReplicas !== next.replicas) await scaleCanary(store, next, next.replicas, deps.fieldManager);
      return;
    case "preflight":
    case "progressing":
    case "awaiting-promotion":
    case "paused":
    case "promoting":
      if (observation.routeWeight !== next.weight) await setWeight(next.weight);
      return;
    case "finalising":
    case "rolling-back":
      if (observation.routeWeight !== 0 || observation.routeProblem === undefined) await setWeight(0);
      if (observation.canaryReplicas !== 0) await scaleCanary(store, next, 0, deps.fieldManager);
      return;
    case "failed":
      // A promotion whose stable pods never became ready: the canary's pods keep the traffic.
      if (next.weight === 100 && observation.routeWeight !== 100) await setWeight(100);
      await deleteCopies(store, next);
      return;
    case "succeeded":
    case "aborted":
    case "superseded":
      await deleteCopies(store, next);
      return;
  }
}

/** Replicas through a field manager of their own: the canary's objects' manager never owns them. */
async function scaleCanary(store: ObjectStore, state: CanaryState, replicas: number, fieldManager: string): Promise<void> {
  try {
    await store.apply(
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: canaryName(state.workload), namespace: state.namespace }, spec: { replicas } },
      { fieldManager: canaryScaleManager(fieldManager), force: true },
    );
  } catch (error) {
    // Scaling a canary that is gone to zero: done. (An apply would create it, but needs a template: 422.)
    if (replicas === 0 && (isNotFound(error) || isInvalid(error))) return;
    throw error;
  }
}

/** The per-revision config copies of a finished (or superseded) canary. */
export async function deleteCopies(store: ObjectStore, state: CanaryState): Promise<void> {
  for (const kind of ["ConfigMap", "Secret"]) {
    const items = await store.list({ apiVersion: "v1", kind, namespace: state.namespace, labelSelector: `${canaryOfLabel}=${state.workload}` });
    for (const item of items) {
      const name = item.metadata.name ?? "";
      if (name.endsWith(configCopyName("", state.revision))) await store.delete({ apiVersion: "v1", kind, namespace: state.namespace, name });
    }
  }
}

function withTransitionEvent(state: CanaryState, next: CanaryState, now: number): CanaryState {
  if (next.phase === state.phase && next.stepIndex === state.stepIndex) return next;
  return recordEvent(next, { at: new Date(now).toISOString(), by: "slipway", via: "controller", what: next.message });
}

export function recordEvent(state: CanaryState, event: CanaryEvent): CanaryState {
  return { ...state, events: [...state.events, event].slice(-EVENT_HISTORY) };
}

/** The next tick: when the next check is due in a checking phase, soon while the cluster moves. */
function nextTickIn(state: CanaryState, now: number, pollMs: number): number {
  const due = nextCheckAt(state, state.config);
  return due === undefined ? pollMs : Math.max(250, Math.min(pollMs * 6, due - now));
}
