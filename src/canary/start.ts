// After an apply: the canaries it decided on are started (their objects written, their state
// created at 0 % traffic) or continued (their objects written again, unchanged). The state is
// written last: a canary whose objects could not be written never starts.
import { canaryWorkloadName } from "../config/canary-schema.js";
import { canaryName, canaryStateName, type CanaryDecision } from "../desired/canary.js";
import type { ObjectStore } from "../kube/objects.js";
import { numberAt } from "../manifests/fields.js";
import { canaryFieldManager, deleteCopies, recordEvent } from "./controller.js";
import { readCanaryState, writeCanaryState, type StoredCanaryState } from "./state-store.js";
import { finalPhases, type CanaryState } from "./types.js";

export interface StartContext {
  environment: string;
  /** The namespace of the workloads. */
  namespace: string;
  /** Where Slipway keeps its own objects for the environment (the inventory namespace). */
  stateNamespace: string;
  context: string;
  repository: string;
  installation?: number;
  branch: string;
  commit: string;
  pullRequest?: number;
  /** The GitHub deployment of the apply: a canary it starts gives it its final status. */
  deployment?: number;
  fieldManager: string;
  now?: () => number;
  /** Who merged, for the audit trail. */
  by?: string;
}

export interface StartedCanary {
  where: { namespace: string; name: string };
  state: CanaryState;
  /** The canary this one replaced before it finished. */
  superseded?: CanaryState;
}

/** Starts or continues the canaries an apply decided on; returns every canary that is not final. */
export async function startCanaries(store: ObjectStore, decisions: CanaryDecision[], context: StartContext): Promise<StartedCanary[]> {
  const started: StartedCanary[] = [];
  for (const decision of decisions) {
    const where = { namespace: context.stateNamespace, name: canaryStateName(context.environment, decision.workload) };
    const stored = await readCanaryState(store, where);
    if (decision.kind === "start" || decision.kind === "revert") {
      // A revert has no canary objects: the apply sent the stable Deployment the revision already,
      // and its state starts at promotion, which takes any traffic a running canary held back to
      // stable and scales that canary to zero.
      await writeCanaryObjects(store, decision, context);
      started.push(await createState(store, where, decision, context, stored));
    } else if (decision.kind === "continue") {
      await writeCanaryObjects(store, decision, context);
      if (stored) started.push({ where, state: stored.state });
    } else if (stored && !finalPhases.has(stored.state.phase)) {
      started.push({ where, state: stored.state });
    }
  }
  return started;
}

/** The copies first, then the Deployment that reads them, then its Service; `spec.replicas` is the controller's. */
async function writeCanaryObjects(store: ObjectStore, decision: CanaryDecision, context: StartContext): Promise<void> {
  for (const object of decision.canaryObjects) {
    await store.apply(object, { fieldManager: canaryFieldManager(context.fieldManager), force: true });
  }
}

/**
 * A new state in place of the stored one. No tick ever sees a superseded state (the new one took
 * its place), so its config copies go here, now that the canary Deployment reads the new
 * revision's (or, for a revert, is about to be scaled to zero).
 */
async function createState(
  store: ObjectStore,
  where: { namespace: string; name: string },
  decision: CanaryDecision,
  context: StartContext,
  stored: StoredCanaryState | undefined,
): Promise<StartedCanary> {
  const at = new Date((context.now ?? Date.now)()).toISOString();
  const previous = stored?.state;
  const superseded = previous && !finalPhases.has(previous.phase) ? { ...previous, phase: "superseded" as const, phaseSince: at, message: `Superseded by revision ${decision.revision} (commit ${context.commit.slice(0, 7)}).` } : undefined;
  const revert = decision.kind === "revert";
  let state: CanaryState = {
    version: 1,
    environment: context.environment,
    namespace: context.namespace,
    workload: canaryWorkloadName(decision.config),
    repository: context.repository,
    ...(context.installation !== undefined ? { installation: context.installation } : {}),
    context: context.context,
    config: decision.config,
    routeBase: decision.routeBase ?? [],
    replicas: Math.max(1, numberAt(decision.desiredStable, ["spec", "replicas"]) ?? 1),
    branch: context.branch,
    commit: context.commit,
    ...(context.pullRequest !== undefined ? { pullRequest: context.pullRequest } : {}),
    ...(context.deployment !== undefined ? { deployment: context.deployment } : {}),
    revision: decision.revision,
    phase: revert ? "promoting" : "starting",
    phaseSince: at,
    stepIndex: 0,
    weight: 0,
    failedChecks: 0,
    noDataChecks: 0,
    checks: [],
    message: revert ? revertMessage(decision) : `Starting: Deployment ${canaryName(decision.workload)} rolls out revision ${decision.revision} beside the stable one, with no traffic yet.`,
    events: previous?.events ?? [],
    commandsSeen: previous?.commandsSeen ?? [],
    ...(revert ? { revert: decision.promotedAt ? { promotedAt: decision.promotedAt } : {} } : {}),
  };
  if (superseded) state = recordEvent(state, { at, by: "slipway", via: "controller", what: `Revision ${previous!.revision} superseded before it finished (${previous!.phase} at ${previous!.weight} %).` });
  const what = revert ? `Revision ${decision.revision} promoted at once for commit ${context.commit.slice(0, 7)}: ${state.message}` : `Canary of revision ${decision.revision} started for commit ${context.commit.slice(0, 7)}.`;
  state = recordEvent(state, { at, by: context.by ?? "slipway", via: "merge", what });
  const written = await writeCanaryState(store, where, state, stored?.resourceVersion);
  if (superseded) await deleteCopies(store, superseded);
  return { where, state: written.state, ...(superseded ? { superseded } : {}) };
}

/** Why a revert skips the canary, for the check run and the audit trail. */
function revertMessage(decision: CanaryDecision): string {
  if (decision.promotedAt) return `Revert to a revision promoted at ${decision.promotedAt}: promoted at once, without steps or checks; the stable Deployment takes it.`;
  return `${decision.reason} Promoted at once, without steps or checks.`;
}
