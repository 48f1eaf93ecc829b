// Why the API server refused an object's dry-run, in words a reviewer can act on. Every text
// here has Secret values scrubbed by the caller.
import {
  admissionDenial,
  dryRunUnsupportedWebhook,
  isForbidden,
  isImmutableFieldError,
  isNamespaceMissing,
  isSchemaViolation,
  unknownFieldPaths,
  type KubeApiError,
} from "../kube/errors.js";
import type { PlanAction } from "../plan/types.js";

export interface Rejection {
  action: Extract<PlanAction, "rejected" | "unverified">;
  note: string;
  /** Fields the server named as wrong, in field-path syntax, to annotate on their lines. */
  fields: string[];
}

export function describeRejection(params: {
  error: KubeApiError;
  namespace?: string;
  namespacesCreatedHere: Set<string>;
}): Rejection {
  const { error, namespace } = params;
  const message = error.status.message ?? error.message;
  if (isNamespaceMissing(error) && namespace && params.namespacesCreatedHere.has(namespace)) {
    return {
      action: "unverified",
      note: `Namespace ${namespace} is new in this change, so this object could not be dry-run; it was validated against the manifest rules only.`,
      fields: [],
    };
  }
  const webhook = dryRunUnsupportedWebhook(error);
  if (webhook) {
    return {
      action: "unverified",
      note: `Admission webhook "${webhook}" does not support dry-run (it does not declare sideEffects: None or NoneOnDryRun), so the API server would not dry-run this object.`,
      fields: [],
    };
  }
  const denial = admissionDenial(error);
  if (denial) {
    return {
      action: "rejected",
      note: `The cluster's ${denial.by} refuses this object: ${denial.reason}. That is the cluster's own rule, applied to every dry-run and apply: change the manifest, or ask the cluster's operators.`,
      fields: [],
    };
  }
  if (isImmutableFieldError(error)) {
    return {
      action: "rejected",
      note: `Would need to be deleted and recreated: ${message}. Slipway never recreates silently; delete the object by hand or give it a new name.`,
      fields: [],
    };
  }
  if (isForbidden(error)) {
    return {
      action: "rejected",
      note: `Slipway's cluster identity is not allowed to do this: ${message}. A dry-run needs the same RBAC as the write: grant get, create and patch on this resource.`,
      fields: [],
    };
  }
  const fields = unknownFieldPaths(error);
  if (isSchemaViolation(error) || fields.length > 0) {
    return { action: "rejected", note: `The API server rejected unknown fields: ${fields.join(", ") || message}.`, fields };
  }
  return { action: "rejected", note: `The API server rejected the dry-run (${error.statusCode} ${error.reason ?? ""}): ${message}`.replace(" )", ")"), fields: [] };
}
