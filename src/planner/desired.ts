// The bodies Slipway sends for an environment's desired set: every object stamped with the
// environment and ApplySet labels, and every workload with the hash of the ConfigMaps and
// Secrets it reads. The plan dry-runs exactly these bodies and the apply sends them.
import { applySetId } from "../apply/inventory.js";
import { configOutsideSet, stampWorkloads, type LiveConfigLookup } from "../apply/stamp.js";
import type { EnvironmentConfig } from "../config/schema.js";
import type { ObjectStore } from "../kube/objects.js";
import { identityKey, refOf, type KubeObject } from "../manifests/object.js";
import { mapConcurrent } from "../util/map-concurrent.js";

export interface DesiredState {
  /** Stamped body by `identityKey`. */
  bodies: Map<string, KubeObject>;
  /** Workload display name → the ConfigMaps and Secrets its config hash covers. */
  rollouts: Map<string, string[]>;
}

export const inventoryLocation = (environment: EnvironmentConfig) => ({
  environment: environment.name,
  namespace: environment.inventoryNamespace ?? environment.namespace,
});

/**
 * Stamps the whole desired set. With a store, ConfigMaps and Secrets that workloads read but
 * Git does not hold are read from the cluster; without one (offline) they hash as absent.
 */
export async function prepareDesired(params: {
  objects: KubeObject[];
  environment: EnvironmentConfig;
  store?: ObjectStore;
  concurrency?: number;
}): Promise<DesiredState> {
  const lookupLive = params.store ? await readLiveConfig(params.store, params.objects, params.concurrency ?? 16) : undefined;
  return stampDesired({ objects: params.objects, environment: params.environment, ...(lookupLive ? { lookupLive } : {}) });
}

/** The stamping itself, pure: what prepareDesired does once the cluster's config is read. */
export function stampDesired(params: { objects: KubeObject[]; environment: EnvironmentConfig; lookupLive?: LiveConfigLookup }): DesiredState {
  const stamped = stampWorkloads({
    objects: params.objects,
    environment: params.environment.name,
    applySet: applySetId(inventoryLocation(params.environment)),
    ...(params.lookupLive ? { lookupLive: params.lookupLive } : {}),
  });
  return { bodies: new Map(stamped.objects.map((body) => [identityKey(refOf(body)), body])), rollouts: stamped.rollouts };
}

async function readLiveConfig(store: ObjectStore, objects: KubeObject[], concurrency: number): Promise<LiveConfigLookup> {
  const wanted = configOutsideSet(objects);
  const found = new Map<string, KubeObject | undefined>();
  await mapConcurrent(wanted, concurrency, async (ref) => {
    found.set(`${ref.kind}/${ref.namespace}/${ref.name}`, await store.get({ apiVersion: "v1", ...ref }));
  });
  return (kind, namespace, name) => found.get(`${kind}/${namespace}/${name}`);
}
