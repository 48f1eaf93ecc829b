// Whether Slipway applied an object for this environment (and so this repository): the labels it
// stamps (the environment's, and the ApplySet's, whose id is one repository's inventory) and its
// field manager in managedFields. Adoption, pruning and the comparison of Secret values all rest
// on this one definition.
import type { KubeObject } from "../manifests/object.js";
import { managedFieldsOf } from "./managed-fields.js";

export interface Ownership {
  fieldManager: string;
  /** The labels every object Slipway applied for this environment carries. */
  ownerLabels: Record<string, string>;
}

export function carriesOwnerLabels(live: KubeObject, ownership: Pick<Ownership, "ownerLabels">): boolean {
  const labels = live.metadata.labels ?? {};
  return Object.entries(ownership.ownerLabels).every(([key, value]) => labels[key] === value);
}

export function appliedBySlipway(live: KubeObject, ownership: Ownership): boolean {
  return carriesOwnerLabels(live, ownership) && managedFieldsOf(live).some((entry) => entry.manager === ownership.fieldManager && entry.operation === "Apply");
}

/** The managers of a live object, as `manager (Operation)`, for saying whom an adoption takes it from. */
export function currentManagers(live: KubeObject): string[] {
  return [...new Set(managedFieldsOf(live).map((entry) => `${entry.manager} (${entry.operation ?? "unknown"}${entry.subresource ? `, ${entry.subresource}` : ""})`))];
}

/**
 * The data keys of a live Secret whose value Slipway itself wrote with server-side apply:
 * `f:data.f:<key>` or `f:stringData.f:<key>` in its field manager's Apply entry.
 */
export function keysWrittenBySlipway(live: KubeObject, ownership: Ownership): Set<string> {
  const keys = new Set<string>();
  for (const entry of managedFieldsOf(live)) {
    if (entry.manager !== ownership.fieldManager || entry.operation !== "Apply") continue;
    const fields = entry.fieldsV1 as Record<string, unknown> | undefined;
    for (const map of ["f:data", "f:stringData"]) {
      const owned = fields?.[map];
      if (owned && typeof owned === "object") for (const name of Object.keys(owned)) if (name.startsWith("f:")) keys.add(name.slice(2));
    }
  }
  return keys;
}
