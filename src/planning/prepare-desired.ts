// The desired state of an environment, with the ConfigMaps and Secrets its workloads read but Git
// does not hold read from the cluster, so that their config hashes match what runs.
import type { EnvironmentConfig } from "../config/schema.js";
import { stampDesired, type DesiredState } from "../desired/desired-state.js";
import { configOutsideSet, type LiveConfigLookup } from "../desired/stamp.js";
import type { ObjectStore } from "../kube/objects.js";
import type { KubeObject } from "../manifests/object.js";
import { mapConcurrent } from "../util/map-concurrent.js";

/** Without a store (offline), config outside the set hashes as absent. */
export async function prepareDesired(params: {
  objects: KubeObject[];
  environment: EnvironmentConfig;
  store?: ObjectStore;
  concurrency?: number;
  configHashKey: string;
  signal?: AbortSignal;
}): Promise<DesiredState> {
  const lookupLive = params.store ? await readLiveConfig(params.store, params.objects, params.concurrency ?? 16, params.signal) : undefined;
  return stampDesired({ objects: params.objects, environment: params.environment, configHashKey: params.configHashKey, ...(lookupLive ? { lookupLive } : {}) });
}

async function readLiveConfig(store: ObjectStore, objects: KubeObject[], concurrency: number, signal: AbortSignal | undefined): Promise<LiveConfigLookup> {
  const wanted = configOutsideSet(objects);
  const found = new Map<string, KubeObject | undefined>();
  await mapConcurrent(wanted, concurrency, async (ref) => {
    found.set(`${ref.kind}/${ref.namespace}/${ref.name}`, await store.get({ apiVersion: "v1", ...ref }, { signal }));
  });
  return (kind, namespace, name) => found.get(`${kind}/${namespace}/${name}`);
}
