// The names of an environment's inventory: the ConfigMap that lists what Slipway applied, which
// is also the environment's ApplySet parent (KEP-3659), and the id its members are labelled with.
// https://github.com/kubernetes/enhancements/tree/master/keps/sig-cli/3659-kubectl-apply-prune
import { createHash } from "node:crypto";

export interface InventoryLocation {
  environment: string;
  namespace: string;
}

export const inventoryName = (environment: string): string => `slipway-inventory-${environment.toLowerCase()}`;

/** The ApplySet id of the environment's parent ConfigMap: base64url(sha256(name.namespace.kind.group)). */
export function applySetId(location: InventoryLocation): string {
  const digest = createHash("sha256").update(`${inventoryName(location.environment)}.${location.namespace}.ConfigMap.`).digest("base64url");
  return `applyset-${digest}-v1`;
}
