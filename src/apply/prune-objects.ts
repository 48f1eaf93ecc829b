// Pruning: delete what Slipway applied earlier and Git no longer holds, and only that (in the
// previous inventory, still labelled, still managed by Slipway's field manager, no controller
// owner). Guards refuse deletions that are more likely a mistake than an intent.
import type { EnvironmentConfig } from "../config/schema.js";
import { isAborted, isApiError, isClusterFailure } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, identityKey, type KubeObject, type ObjectRef } from "../manifests/object.js";
import { previewPrune } from "../plan/prune.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import type { Halt } from "./halt.js";
import { sortForPrune } from "./order.js";
import { ownerLabels } from "../desired/desired-state.js";
import type { ObjectResult } from "./types.js";

/** Kinds whose deletion takes data or many other objects with it. */
const guardedKinds = new Set(["Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume"]);

export interface PrunePlan {
  candidates: ObjectRef[];
  /**
   * Objects gone from Git that the inventory may forget: confirmed gone from the cluster (404), or
   * no longer Slipway's (their labels, field manager or controller say so).
   */
  forget: ObjectRef[];
  /**
   * Objects gone from Git whose state could not be read (a timeout, a 5xx): they are not pruned
   * this time and stay in the inventory, so the next apply looks again. Only a 404 says "gone".
   */
  unread: ObjectResult[];
  /** Why the prune must not run; nothing is applied then either. */
  refusal?: string;
}

export async function planPrune(params: {
  store: ObjectStore;
  environment: EnvironmentConfig;
  desiredKeys: Set<string>;
  inventory: ObjectRef[];
  fieldManager: string;
  concurrency: number;
  signal?: AbortSignal;
}): Promise<PrunePlan> {
  const { store, environment, inventory } = params;
  const gone = inventory.filter((ref) => !params.desiredKeys.has(identityKey(ref)));
  const live = new Map<string, KubeObject | undefined>();
  const unread: ObjectResult[] = [];
  let clusterFailure: string | undefined;
  await mapConcurrent(gone, params.concurrency, async (ref) => {
    // After a failure of the cluster, the other reads would only wait out the same retries.
    if (clusterFailure) {
      unread.push(notRead(ref, `it was not read after an earlier read failed (${clusterFailure})`));
      return;
    }
    try {
      live.set(identityKey(ref), await store.get(ref, { signal: params.signal }));
    } catch (error) {
      if (isClusterFailure(error)) clusterFailure ??= messageOf(error);
      unread.push(notRead(ref, `its state could not be read (${messageOf(error)})`));
    }
  });
  const previewed = previewPrune({
    desiredKeys: params.desiredKeys,
    inventory: gone.filter((ref) => live.has(identityKey(ref))),
    live,
    fieldManager: params.fieldManager,
    ownerLabels: ownerLabels(environment),
  });
  const candidates = previewed.filter((plan) => plan.action === "prune").map((plan) => plan.ref);
  const retained = new Set(previewed.filter((plan) => plan.action !== "prune").map((plan) => identityKey(plan.ref)));
  const forget = gone.filter((ref) => live.has(identityKey(ref)) && (live.get(identityKey(ref)) === undefined || retained.has(identityKey(ref))));
  return { candidates, forget, unread, ...refusalOf({ environment, candidates, inventorySize: inventory.length }) };
}

function notRead(ref: ObjectRef, why: string): ObjectResult {
  return { ref, name: displayName(ref), action: "not-attempted", conflicts: [], message: `Not pruned: ${why}; it stays in the inventory and the next apply looks again.`, durationMs: 0 };
}

const messageOf = (error: unknown): string => (isApiError(error) ? (error.status.message ?? error.message) : error instanceof Error ? error.message : String(error));

function refusalOf(params: { environment: EnvironmentConfig; candidates: ObjectRef[]; inventorySize: number }): { refusal?: string } {
  const { environment, candidates } = params;
  const guarded = candidates.filter((ref) => guardedKinds.has(ref.kind) && !environment.prune.allow.includes(ref.kind as never));
  if (guarded.length > 0) {
    const kinds = [...new Set(guarded.map((ref) => ref.kind))];
    return {
      refusal: `Pruning would delete ${guarded.map(displayName).join(", ")}, which takes its data or contents with it. To allow this, add ${kinds.map((kind) => `\`${kind}\``).join(", ")} to \`prune.allow\` for environment ${environment.name} in .github/slipway.yml.`,
    };
  }
  const limit = Math.floor(environment.prune.maxFraction * params.inventorySize);
  if (candidates.length > 1 && candidates.length > limit) {
    return {
      refusal: `Pruning would delete ${candidates.length} of the ${params.inventorySize} objects Slipway manages in ${environment.name}, more than \`prune.maxFraction\` (${environment.prune.maxFraction}) allows. If that is intended, raise \`prune.maxFraction\` in .github/slipway.yml.`,
    };
  }
  return {};
}

/**
 * Deletes in reverse apply order (custom resources before their CRDs). A failed delete stays in
 * the inventory; after a failure of the cluster the rest are not attempted.
 */
export async function pruneObjects(store: ObjectStore, candidates: ObjectRef[], options: { concurrency: number; halt: Halt }): Promise<ObjectResult[]> {
  const { halt } = options;
  const results: ObjectResult[] = [];
  for (const stage of sortForPrune(candidates, (ref) => ref)) {
    results.push(
      ...(await mapConcurrent(stage, options.concurrency, async (ref): Promise<ObjectResult> => {
        const started = Date.now();
        const name = displayName(ref);
        if (halt.halted) return { ref, name, action: "not-attempted", conflicts: [], message: `Not pruned: the apply stopped (${halt.reason}).`, durationMs: 0 };
        try {
          await store.delete(ref, { signal: halt.signal });
          return { ref, name, action: "pruned", conflicts: [], durationMs: Date.now() - started };
        } catch (error) {
          halt.stopOn(error);
          const message = isAborted(error)
            ? error.sent
              ? `the apply stopped while the delete was in flight (${halt.reason}); it may have been deleted`
              : `the apply stopped (${halt.reason})`
            : isApiError(error)
              ? (error.status.message ?? error.message)
              : String(error);
          const action = isAborted(error) && !error.sent ? "not-attempted" : "failed";
          return { ref, name, action, conflicts: [], message: `Not pruned: ${message}`, durationMs: Date.now() - started };
        }
      })),
    );
  }
  return results;
}
