// Which objects merging would delete. Slipway deletes only what it provably owns, never
// "everything not in Git" (as Flux and kubectl's ApplySet pruning do, KEP-3659): the
// object must be in Slipway's previous inventory, gone from the manifests, still exist, still
// carry Slipway's label, still list Slipway's field manager, and have no controller owner.
// Pure: the caller reads the inventory and the live objects.
import { displayName, identityKey, isPlainObject } from "../manifests/object.js";
import type { KubeObject, ObjectRef } from "../manifests/object.js";
import { managedFieldsOf } from "./managed-fields.js";
import type { ObjectPlan } from "./types.js";

export interface PreviewPruneParams {
  /** `identityKey` of every object in the manifests. */
  desiredKeys: Set<string>;
  /** The objects the last apply recorded. */
  inventory: ObjectRef[];
  /** The live objects by `identityKey`; undefined (or absent) when the object is gone. */
  live: Map<string, KubeObject | undefined>;
  fieldManager: string;
  ownerLabel: { key: string; value: string };
}

/** The objects a merge would prune, sorted by name; everything else is left out. */
export function previewPrune(params: PreviewPruneParams): ObjectPlan[] {
  // An empty desired set is far more likely a broken checkout than an intent to delete
  // everything; the apply refuses it, so the preview prunes nothing either.
  if (params.desiredKeys.size === 0) return [];
  const plans = new Map<string, ObjectPlan>();
  for (const ref of params.inventory) {
    const key = identityKey(ref);
    if (plans.has(key) || params.desiredKeys.has(key)) continue;
    const live = params.live.get(key);
    if (live === undefined || !isOwnedBySlipway(live, params)) continue;
    plans.set(key, {
      ref,
      name: displayName(ref),
      action: "prune",
      conflicts: [],
      note: "Removed from the manifests; Slipway applied it, so merging deletes it.",
    });
  }
  return [...plans.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isOwnedBySlipway(live: KubeObject, params: PreviewPruneParams): boolean {
  const { key, value } = params.ownerLabel;
  if (live.metadata.labels?.[key] !== value) return false;
  if (!managedFieldsOf(live).some((entry) => entry.manager === params.fieldManager)) return false;
  // A controller owner (a Deployment's ReplicaSet, an operator's child) deletes and recreates
  // the object itself; deleting it from here would fight that controller.
  return !hasControllerOwner(live);
}

function hasControllerOwner(live: KubeObject): boolean {
  const owners = live.metadata.ownerReferences;
  return Array.isArray(owners) && (owners as unknown[]).some((owner) => isPlainObject(owner) && owner.controller === true);
}
