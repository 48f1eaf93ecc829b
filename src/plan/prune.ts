// Which objects merging would delete. Slipway deletes only what it provably owns, never
// "everything not in Git" (as Flux and kubectl's ApplySet pruning do, KEP-3659): the
// object must be in Slipway's previous inventory, gone from the manifests, still exist, still
// carry Slipway's labels (its environment and its ApplySet, which is one repository's), still
// list Slipway's field manager, and have no controller owner. What is gone from the manifests but
// will stay is said too, with the reason, never left silent.
// Pure: the caller reads the inventory and the live objects.
import { displayName, identityKey, isPlainObject } from "../manifests/object.js";
import type { KubeObject, ObjectRef } from "../manifests/object.js";
import { managedFieldsOf } from "./managed-fields.js";
import { carriesOwnerLabels } from "./ownership.js";
import type { ObjectPlan } from "./types.js";

export interface PreviewPruneParams {
  /** `identityKey` of every object in the manifests. */
  desiredKeys: Set<string>;
  /** The objects the last apply recorded. */
  inventory: ObjectRef[];
  /** The live objects by `identityKey`; undefined (or absent) when the object is gone. */
  live: Map<string, KubeObject | undefined>;
  fieldManager: string;
  /** Labels every object Slipway applied for this environment carries: the environment's and its ApplySet's. */
  ownerLabels: Record<string, string>;
}

/**
 * The objects gone from the manifests that still exist: `prune` for those a merge deletes,
 * `retain` (with the reason) for those it leaves in the cluster. Sorted by name.
 */
export function previewPrune(params: PreviewPruneParams): ObjectPlan[] {
  // An empty desired set is far more likely a broken checkout than an intent to delete
  // everything; the apply refuses it, so the preview prunes nothing either.
  if (params.desiredKeys.size === 0) return [];
  const plans = new Map<string, ObjectPlan>();
  for (const ref of params.inventory) {
    const key = identityKey(ref);
    if (plans.has(key) || params.desiredKeys.has(key)) continue;
    const live = params.live.get(key);
    if (live === undefined) continue;
    const keep = reasonToKeep(live, params);
    plans.set(key, {
      ref,
      name: displayName(ref),
      action: keep ? "retain" : "prune",
      conflicts: [],
      note: keep ? `Removed from Git, will stay in the cluster: ${keep}.` : "Removed from the manifests; Slipway applied it, so merging deletes it.",
    });
  }
  return [...plans.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Why Slipway must not delete the object, or undefined when it may. */
function reasonToKeep(live: KubeObject, params: PreviewPruneParams): string | undefined {
  if (!carriesOwnerLabels(live, params)) {
    return "not applied by Slipway for this environment and repository (its labels say otherwise)";
  }
  if (!managedFieldsOf(live).some((entry) => entry.manager === params.fieldManager)) return "Slipway no longer manages any of its fields";
  // A controller owner (a Deployment's ReplicaSet, an operator's child) deletes and recreates
  // the object itself; deleting it from here would fight that controller.
  const controller = controllerOwner(live);
  return controller ? `${controller} controls it` : undefined;
}

function controllerOwner(live: KubeObject): string | undefined {
  const owners = live.metadata.ownerReferences;
  if (!Array.isArray(owners)) return undefined;
  const owner = (owners as unknown[]).find((entry) => isPlainObject(entry) && entry.controller === true);
  return isPlainObject(owner) ? `${String(owner.kind)}/${String(owner.name)}` : undefined;
}
