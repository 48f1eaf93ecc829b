// The bodies Slipway sends for an environment's desired set: every object stamped with the
// environment and ApplySet labels, and every workload with the hash of the ConfigMaps and
// Secrets it reads. The plan dry-runs exactly these bodies and the apply sends them.
import type { EnvironmentConfig } from "../config/schema.js";
import { identityKey, refOf, type KubeObject } from "../manifests/object.js";
import { applySetId, type InventoryLocation } from "./applyset.js";
import { applySetPartOfLabel, environmentLabel, stampWorkloads, type LiveConfigLookup } from "./stamp.js";

export interface DesiredState {
  /** Stamped body by `identityKey`. */
  bodies: Map<string, KubeObject>;
  /** Workload display name → the ConfigMaps and Secrets its config hash covers. */
  rollouts: Map<string, string[]>;
}

export const inventoryLocation = (environment: EnvironmentConfig): InventoryLocation => ({
  environment: environment.name,
  namespace: environment.inventoryNamespace ?? environment.namespace,
});

/** The labels Slipway stamps on every object of the environment: they mark it as this environment's and this repository's. */
export function ownerLabels(environment: EnvironmentConfig): Record<string, string> {
  return { [environmentLabel]: environment.name, [applySetPartOfLabel]: applySetId(inventoryLocation(environment)) };
}

/**
 * Stamps the whole desired set. ConfigMaps and Secrets that workloads read but the set does not
 * hold come from `lookupLive` (read from the cluster by the caller); without it they hash as absent.
 */
export function stampDesired(params: { objects: KubeObject[]; environment: EnvironmentConfig; lookupLive?: LiveConfigLookup; configHashKey: string }): DesiredState {
  const stamped = stampWorkloads({
    objects: params.objects,
    configHashKey: params.configHashKey,
    environment: params.environment.name,
    applySet: applySetId(inventoryLocation(params.environment)),
    ...(params.lookupLive ? { lookupLive: params.lookupLive } : {}),
  });
  return { bodies: new Map(stamped.objects.map((body) => [identityKey(refOf(body)), body])), rollouts: stamped.rollouts };
}
