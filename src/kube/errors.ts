// Typed errors for the Kubernetes API. A response the server refused becomes a KubeApiError
// that carries the Status the server sent; transport failures become KubeTransportError.
// Predicates follow the server's Status reasons:
// https://kubernetes.io/docs/reference/using-api/api-concepts/#status-responses

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly statusCode: number,
    readonly status: ApiStatus,
    readonly request: { method: string; path: string },
    readonly retryAfterSeconds?: number,
  ) {
    super(`${request.method} ${request.path}: ${statusCode} ${status.reason ?? ""} ${status.message ?? ""}`.trim());
  }

  get reason(): string | undefined {
    return this.status.reason;
  }

  get causes(): StatusCause[] {
    return this.status.details?.causes ?? [];
  }
}

export class KubeTransportError extends Error {
  override readonly name = "KubeTransportError";
  constructor(
    message: string,
    readonly request: { method: string; path: string },
    options?: { cause?: unknown },
  ) {
    super(`${request.method} ${request.path}: ${message}`, options);
  }
}

/**
 * A request given up because its AbortSignal fired (the apply's Lease was lost, or the apply
 * stopped after a hard failure). `sent` tells whether it may have reached the server: a write
 * aborted in flight may have been applied, one aborted before it was sent was not.
 */
export class KubeAbortedError extends Error {
  override readonly name = "KubeAbortedError";
  constructor(
    readonly request: { method: string; path: string },
    readonly sent: boolean,
    /** The signal's reason: why the work stopped. */
    readonly reason: unknown,
  ) {
    super(`${request.method} ${request.path}: ${sent ? "cancelled in flight" : "not sent"}: ${reasonText(reason)}`, { cause: reason });
  }
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "aborted";
}

export const isApiError = (error: unknown): error is KubeApiError => error instanceof KubeApiError;

export const isAborted = (error: unknown): error is KubeAbortedError => error instanceof KubeAbortedError;

/** 401: the server did not accept the credentials (an expired token, say). */
export const isUnauthorized = (error: unknown): boolean => isApiError(error) && error.statusCode === 401;

export const isNotFound = (error: unknown): boolean => isApiError(error) && error.statusCode === 404;

/** A server-side-apply conflict with another field manager (HTTP 409 with FieldManagerConflict causes). */
export const isFieldManagerConflict = (error: unknown): error is KubeApiError =>
  isApiError(error) && error.statusCode === 409 && error.causes.some((cause) => cause.reason === "FieldManagerConflict");

/** 422 Invalid: the object failed validation, including strict field validation. */
export const isInvalid = (error: unknown): boolean => isApiError(error) && error.statusCode === 422;

/** 400 BadRequest, which strict field validation of an apply patch also answers with. */
export const isBadRequest = (error: unknown): boolean => isApiError(error) && error.statusCode === 400;

export const isForbidden = (error: unknown): boolean => isApiError(error) && error.statusCode === 403;

/**
 * A server-side apply of a field the schema does not declare fails in the typed conversion
 * with a plain HTTP 500 "failed to create typed patch object (...): .path: field not declared
 * in schema" instead of a 400 (kubernetes/kubernetes#139253, open as of v1.37). It is the
 * object's fault, not the server's: never retry it, report it on the field's line.
 */
export const isSchemaViolation = (error: unknown): boolean =>
  isApiError(error) && error.statusCode === 500 && /failed to create typed patch object/.test(error.status.message ?? "");

/**
 * A 403 from RBAC (`User "x" cannot patch resource "y"`), as opposed to one about the object
 * (a namespace being terminated, an admission policy): the identity lacks a permission, and the
 * objects after this one will not fare better.
 * https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb
 */
export const isRbacDenial = (error: unknown): boolean =>
  isApiError(error) && error.statusCode === 403 && /\bcannot [a-z]+ resource\b/.test(error.status.message ?? "");

/**
 * A failure of the cluster or of Slipway's access to it, not of one object: the transport
 * (after retries), a 5xx or 429 (after retries), rejected credentials, an RBAC denial, or an
 * aborted request. After one, sending the rest only waits out more of the same; an apply stops
 * and reports the rest as not attempted. A conflict or a 422 for one object is that object's
 * failure and does not stop the others.
 */
export const isClusterFailure = (error: unknown): boolean =>
  error instanceof KubeTransportError ||
  isAborted(error) ||
  isUnauthorized(error) ||
  isRbacDenial(error) ||
  (isApiError(error) && (error.statusCode === 429 || error.statusCode >= 500) && !isSchemaViolation(error));

/** Worth another try: throttled, server errors, and failures to reach the server. */
export const isRetryable = (error: unknown): boolean =>
  error instanceof KubeTransportError ||
  (isApiError(error) && (error.statusCode === 429 || error.statusCode >= 500) && !isSchemaViolation(error));

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

/**
 * A denial by the cluster's own admission control: a ValidatingAdmissionPolicy or an admission
 * webhook (Kyverno, Gatekeeper) refused the object. The cluster's rule, not Slipway's.
 * https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 */
export function admissionDenial(error: KubeApiError): { by: string; reason: string } | undefined {
  const message = error.status.message ?? "";
  const policy = /ValidatingAdmissionPolicy '([^']+)' with binding '[^']*' denied request: (.*)$/s.exec(message);
  if (policy) return { by: `ValidatingAdmissionPolicy ${policy[1] ?? ""}`, reason: policy[2] ?? "" };
  const webhook = /admission webhook "([^"]+)" denied the request: (.*)$/s.exec(message);
  if (webhook) return { by: `admission webhook ${webhook[1] ?? ""}`, reason: webhook[2] ?? "" };
  return undefined;
}
