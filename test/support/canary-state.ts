// A canary's state in a test's namespace, made the way the server makes it: startCanaries
// creates it after an apply (here from a decision with no canary objects to write, so no route
// CRDs are needed), and a tick's write (writeCanaryState with the version it read) moves it on.
import { canarySchema } from "../../src/config/canary-schema.js";
import { startCanaries } from "../../src/canary/start.js";
import { readCanaryState, writeCanaryState, type StoredCanaryState } from "../../src/canary/state-store.js";
import type { CanaryState, CheckRecord } from "../../src/canary/types.js";
import { canaryStateName, type CanaryDecision } from "../../src/desired/canary.js";
import type { ObjectStore } from "../../src/kube/objects.js";

/** Starts a canary of Deployment/<workload> (steps 5 → 10 → 25 → 50, two failed checks roll it back), as after a merge of pull request 42. */
export async function startTestCanary(store: ObjectStore, params: { namespace: string; environment: string; workload?: string }): Promise<StoredCanaryState> {
  const workload = params.workload ?? "web";
  const config = canarySchema.parse({ workload: `Deployment/${workload}`, service: workload, router: { type: "gateway-api", httpRoute: workload }, steps: [5, 10, 25, 50], interval: "1m", threshold: 2 });
  const decision: CanaryDecision = {
    config,
    workload,
    kind: "start",
    revision: "5f1c2e9a0b3d",
    heldBack: [],
    canaryObjects: [],
    desiredStable: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: workload, namespace: params.namespace }, spec: { replicas: 2 } },
    routeBase: [{ backendRefs: [{ name: workload, port: 80 }] }],
    reason: "the pod template changed",
  };
  await startCanaries(store, [decision], {
    environment: params.environment,
    namespace: params.namespace,
    stateNamespace: params.namespace,
    context: "test",
    repository: "acme/deploy",
    branch: "main",
    commit: "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b",
    pullRequest: 42,
    fieldManager: "slipway",
  });
  const stored = await readCanaryState(store, { namespace: params.namespace, name: canaryStateName(params.environment, workload) });
  if (!stored) throw new Error("startCanaries wrote no state");
  return stored;
}

/** A passing check at 25 %: success rate 99.7 % (≥ 99 %), p99 120 ms (≤ 500 ms), 340 requests. */
export function passingCheck(at: string): CheckRecord {
  return {
    at,
    stepIndex: 2,
    weight: 25,
    requests: 340,
    verdict: "pass",
    metrics: [
      { name: "success rate", query: 'sum(rate(istio_requests_total{destination_workload="web-canary"}[1m]))', value: 99.7, min: 99, unit: "%", verdict: "pass" },
      { name: "latency p99", query: "histogram_quantile(0.99, …)", value: 120, max: 500, unit: "ms", verdict: "pass" },
    ],
  };
}

/** Writes the state as a tick would, with the version it was read at. */
export async function moveTestCanary(store: ObjectStore, stored: StoredCanaryState, change: Partial<CanaryState>): Promise<StoredCanaryState> {
  return writeCanaryState(store, stored, { ...stored.state, ...change }, stored.resourceVersion);
}

/** At step 3 of 4 (25 %), after one passing check. */
export async function progressTestCanary(store: ObjectStore, stored: StoredCanaryState): Promise<StoredCanaryState> {
  const at = new Date().toISOString();
  return moveTestCanary(store, stored, {
    phase: "progressing",
    phaseSince: at,
    stepIndex: 2,
    weight: 25,
    stepSince: at,
    checks: [passingCheck(at)],
    message: "Check passed; next step.",
    events: [...stored.state.events, { at, by: "slipway", via: "controller", what: "Check passed; next step." }],
  });
}
