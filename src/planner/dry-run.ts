// The server-side dry-run of one object, as the plan needs it: first without force, so the
// API server reports field-ownership conflicts; on a conflict, again with force, to learn the
// object as it would be after a forced apply.
import { isApiError, isFieldManagerConflict, isSchemaViolation, type KubeApiError, type StatusCause } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import type { KubeObject } from "../manifests/object.js";

export type DryRunOutcome =
  | { kind: "applied"; result: KubeObject; conflicts: StatusCause[] }
  | { kind: "rejected"; error: KubeApiError };

export async function dryRunObject(params: { store: ObjectStore; object: KubeObject; fieldManager: string }): Promise<DryRunOutcome> {
  const { store, object, fieldManager } = params;
  const dryRun = (force: boolean) => store.apply(object, { fieldManager, dryRun: true, force, fieldValidation: "Strict" });
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

/** The dry-run of an object in a namespace that does not exist (yet). */
export function isNamespaceMissing(error: KubeApiError): boolean {
  return error.statusCode === 404 && error.status.details?.kind === "namespaces";
}

/**
 * Immutable fields answer 422 with a cause "field is immutable" (a Deployment's selector, a
 * Job's template): the object would have to be deleted and recreated.
 */
export function isImmutableFieldError(error: KubeApiError): boolean {
  return (
    error.statusCode === 422 &&
    (error.causes.some((cause) => /immutable/i.test(cause.message ?? "")) || /field is immutable/.test(error.status.message ?? ""))
  );
}

/**
 * An admission webhook that does not declare `sideEffects: None|NoneOnDryRun` makes the
 * API server refuse every dry-run it matches (400).
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#side-effects
 */
export function dryRunUnsupportedWebhook(error: KubeApiError): string | undefined {
  if (error.statusCode !== 400) return undefined;
  const match = /admission webhook "([^"]+)" does not support dry run/.exec(error.status.message ?? "");
  return match?.[1];
}

/**
 * Fields the server rejected as unknown, in the API server's field-path syntax
 * (`.spec.template.spec.containers[name="app"].imagePullPolicyy`). Strict field validation
 * says `unknown field "spec.x"`; the typed conversion of an apply patch says
 * `.spec.x: field not declared in schema`.
 */
export function unknownFieldPaths(error: KubeApiError): string[] {
  const text = [error.status.message ?? "", ...error.causes.map((cause) => cause.message ?? "")].join("\n");
  const strict = [...text.matchAll(/unknown field "([^"]+)"/g)].map((match) => `.${match[1] ?? ""}`);
  const typed = [...text.matchAll(/(\.[^\s]+): field not declared in schema/g)].map((match) => match[1] ?? "");
  return [...new Set([...strict, ...typed])].filter((path) => path.length > 1);
}
