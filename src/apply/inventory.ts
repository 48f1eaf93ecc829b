// The record of what Slipway applied to an environment: a ConfigMap in the cluster, which is
// also the environment's ApplySet parent (KEP-3659, labels `applyset.kubernetes.io/*`). Pruning
// deletes only what is listed here, and the last applied commit survives a restart.
// https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#alternative-kubectl-apply-f-directory-prune
import { applySetId, inventoryName, type InventoryLocation } from "../desired/applyset.js";
import type { CallOptions, ObjectStore } from "../kube/objects.js";
import { groupOf, identityKey, isPlainObject, type KubeObject, type ObjectRef } from "../manifests/object.js";

export interface Inventory {
  objects: ObjectRef[];
  /** The commit of the last apply that ran to its end (successful or not). */
  commit?: string;
  appliedAt?: string;
  /**
   * The repository (`owner/name`) whose applies this inventory records. An apply from any other
   * repository that names the same inventory is refused: two repositories never prune each
   * other's objects.
   */
  owner?: string;
}

export async function readInventory(store: ObjectStore, location: InventoryLocation, options: CallOptions = {}): Promise<Inventory> {
  const live = await store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: location.namespace, name: inventoryName(location.environment) }, options);
  const data = isPlainObject(live?.data) ? (live.data as Record<string, string>) : {};
  return {
    objects: parseObjects(data["objects.json"]),
    ...(data.commit ? { commit: data.commit } : {}),
    ...(data.appliedAt ? { appliedAt: data.appliedAt } : {}),
    ...(data.owner ? { owner: data.owner } : {}),
  };
}

export async function writeInventory(store: ObjectStore, params: { location: InventoryLocation; inventory: Inventory; fieldManager: string; signal?: AbortSignal }): Promise<void> {
  const { location, inventory } = params;
  const objects = [...inventory.objects].sort((a, b) => key(a).localeCompare(key(b)));
  const groupKinds = [...new Set(objects.map((ref) => (groupOf(ref.apiVersion) ? `${ref.kind}.${groupOf(ref.apiVersion)}` : ref.kind)))].sort();
  const body: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: inventoryName(location.environment),
      namespace: location.namespace,
      labels: { "applyset.kubernetes.io/id": applySetId(location), "app.kubernetes.io/managed-by": "slipway" },
      annotations: {
        "applyset.kubernetes.io/tooling": "slipway/v1",
        "applyset.kubernetes.io/contains-group-kinds": groupKinds.join(","),
      },
    },
    data: {
      "objects.json": JSON.stringify(objects.map(({ apiVersion, kind, namespace, name }) => ({ apiVersion, kind, ...(namespace ? { namespace } : {}), name }))),
      ...(inventory.commit ? { commit: inventory.commit } : {}),
      ...(inventory.appliedAt ? { appliedAt: inventory.appliedAt } : {}),
      ...(inventory.owner ? { owner: inventory.owner } : {}),
    },
  };
  // The inventory is Slipway's own object: take it over from anyone who edited it.
  await store.apply(body, { fieldManager: params.fieldManager, force: true, signal: params.signal });
}

/**
 * Adds the objects about to be applied to the inventory before any is: an apply that stops half
 * way (a crash, a lost Lease) must not leave objects no inventory lists, which no apply would ever
 * prune. KEP-3659 likewise has an ApplySet's parent list its group kinds before its members are
 * applied. Writes nothing when the inventory lists them all already (a re-apply).
 */
export async function addToInventory(
  store: ObjectStore,
  params: { location: InventoryLocation; inventory: Inventory; adding: ObjectRef[]; fieldManager: string; signal?: AbortSignal },
): Promise<void> {
  const known = new Set(params.inventory.objects.map(identityKey));
  const adding = params.adding.filter((ref) => !known.has(identityKey(ref)));
  if (adding.length === 0) return;
  await writeInventory(store, { ...params, inventory: { ...params.inventory, objects: [...params.inventory.objects, ...adding] } });
}

function parseObjects(text: string | undefined): ObjectRef[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (item): item is ObjectRef => isPlainObject(item) && typeof item.apiVersion === "string" && typeof item.kind === "string" && typeof item.name === "string",
    );
  } catch {
    // A hand-edited, broken inventory prunes nothing rather than guessing.
    return [];
  }
}

const key = (ref: ObjectRef) => `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
