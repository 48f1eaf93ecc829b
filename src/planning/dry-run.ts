// The server-side dry-run of one object, as the plan needs it: first without force, so the
// API server reports field-ownership conflicts; on a conflict, again with force, to learn the
// object as it would be after a forced apply.
import { isApiError, isFieldManagerConflict, isSchemaViolation, type KubeApiError, type StatusCause } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import type { KubeObject } from "../manifests/object.js";

export type DryRunOutcome =
  | { kind: "applied"; result: KubeObject; conflicts: StatusCause[] }
  | { kind: "rejected"; error: KubeApiError };

export async function dryRunObject(params: { store: ObjectStore; object: KubeObject; fieldManager: string; signal?: AbortSignal }): Promise<DryRunOutcome> {
  const { store, object, fieldManager, signal } = params;
  const dryRun = (force: boolean) => store.apply(object, { fieldManager, dryRun: true, force, fieldValidation: "Strict", signal });
  try {
    return { kind: "applied", result: await dryRun(false), conflicts: [] };
  } catch (error) {
    if (!isFieldManagerConflict(error)) return rejectedOrThrow(error);
    try {
      return { kind: "applied", result: await dryRun(true), conflicts: error.causes };
    } catch (forcedError) {
      return rejectedOrThrow(forcedError);
    }
  }
}

/** The object's own fault (invalid, forbidden, immutable) is an outcome; outages are errors. */
function rejectedOrThrow(error: unknown): DryRunOutcome {
  if (!isApiError(error)) throw error;
  if (isSchemaViolation(error) || (error.statusCode < 500 && error.statusCode !== 429 && error.statusCode !== 401)) {
    return { kind: "rejected", error };
  }
  throw error;
}
