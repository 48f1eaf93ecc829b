// Why the API server refused an object's dry-run, in words a reviewer can act on. Every text
// here has Secret values scrubbed by the caller.
import { isForbidden, isSchemaViolation, type KubeApiError } from "../kube/errors.js";
import type { PlanAction } from "../plan/types.js";
import { dryRunUnsupportedWebhook, isImmutableFieldError, isNamespaceMissing, unknownFieldPaths } from "../kube/errors.js";

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
