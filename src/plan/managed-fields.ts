// Reading `metadata.managedFields`, the server's record of which manager owns which field.
// https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management
import { isPlainObject } from "../manifests/object.js";
import type { KubeObject } from "../manifests/object.js";

export interface ManagedFieldsEntry {
  manager: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

/** The object's managedFields entries; malformed entries (no manager) are skipped. */
export function managedFieldsOf(object: KubeObject | undefined): ManagedFieldsEntry[] {
  const entries = object?.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  return (entries as unknown[]).filter(isPlainObject).flatMap((entry): ManagedFieldsEntry[] => {
    if (typeof entry.manager !== "string") return [];
    const operation = entry.operation === "Apply" || entry.operation === "Update" ? entry.operation : undefined;
    return [
      {
        manager: entry.manager,
        ...(operation ? { operation } : {}),
        ...(typeof entry.apiVersion === "string" ? { apiVersion: entry.apiVersion } : {}),
        ...(typeof entry.time === "string" ? { time: entry.time } : {}),
        ...(typeof entry.subresource === "string" && entry.subresource !== "" ? { subresource: entry.subresource } : {}),
        ...(entry.fieldsV1 !== undefined ? { fieldsV1: entry.fieldsV1 } : {}),
      },
    ];
  });
}
