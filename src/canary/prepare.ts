// Reads what the hold-back of canaried workloads needs from the cluster: the stable Deployment and
// Service as they run, the route, the config the desired Deployment reads, and the canary's state.
import { canaryWorkloadName } from "../config/canary-schema.js";
import type { EnvironmentConfig } from "../config/schema.js";
import { canaryStateName, holdBackForCanaries, type CanaryLive, type HoldBack } from "../desired/canary.js";
import { routeRef } from "../desired/route-kinds.js";
import { configReferences } from "../desired/config-refs.js";
import { inventoryLocation } from "../desired/desired-state.js";
import { UnknownKindError, type ObjectStore } from "../kube/objects.js";
import { identityKey, type KubeObject, type ObjectRef } from "../manifests/object.js";
import { readCanaryState } from "./state-store.js";

/** The hold-back for an environment's canaries, reading the cluster through `store`. */
export function canaryHoldBack(params: { store: ObjectStore; environment: EnvironmentConfig; retry?: ReadonlySet<string>; now?: () => number }): HoldBack | undefined {
  const { store, environment } = params;
  if (environment.canary.length === 0) return undefined;
  const namespace = environment.namespace;
  return async (bodies) => {
    const live = new Map<string, CanaryLive>();
    await Promise.all(
      environment.canary.map(async (config) => {
        const workload = canaryWorkloadName(config);
        const desiredStable = bodies.get(identityKey({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: workload }));
        if (!desiredStable) return;
        const refs = configReferences(desiredStable);
        const configRefs: ObjectRef[] = [
          ...refs.configMaps.map((name) => ({ apiVersion: "v1", kind: "ConfigMap", namespace, name })),
          ...refs.secrets.map((name) => ({ apiVersion: "v1", kind: "Secret", namespace, name })),
        ];
        const [stable, service, route, state, configs] = await Promise.all([
          store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: workload }),
          store.get({ apiVersion: "v1", kind: "Service", namespace, name: config.service }),
          getIfServed(store, routeRef(config.router, namespace)),
          readCanaryState(store, { namespace: inventoryLocation(environment).namespace, name: canaryStateName(environment.name, workload) }),
          Promise.all(configRefs.map(async (ref) => [`${ref.kind}/${ref.name}`, await store.get(ref)] as const)),
        ]);
        live.set(workload, {
          ...(stable ? { stable } : {}),
          ...(service ? { service } : {}),
          ...(route ? { route } : {}),
          configs: new Map(configs),
          ...(state ? { state: { revision: state.state.revision, phase: state.state.phase, ...(state.state.retryRequested ? { retryRequested: true } : {}) } } : {}),
        });
      }),
    );
    return holdBackForCanaries({ bodies, namespace, canaries: environment.canary, live, now: (params.now ?? Date.now)(), ...(params.retry ? { retry: params.retry } : {}) });
  };
}

/** A route whose kind the cluster does not serve (no Gateway API or Istio CRDs) reads as absent. */
async function getIfServed(store: ObjectStore, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await store.get(ref);
  } catch (error) {
    if (error instanceof UnknownKindError) return undefined;
    throw error;
  }
}
