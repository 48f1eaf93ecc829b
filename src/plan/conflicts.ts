// Turns the causes of a 409 from a non-forced server-side apply into findings: who owns each
// field, when they wrote it, the live and desired values, and what to do. The response names
// no object (its Status `details` carries only causes:
// https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts), so the caller passes the identity in, and sets
// `position` itself from the manifest (manifests/field-path.ts `lineOfFieldPath`).
import type { KubeObject } from "../manifests/object.js";
import { adviseOnConflict, classifyOwner } from "./conflict-owner.js";
import type { ConflictOwner } from "./conflict-owner.js";
import { fieldsV1Tree, objectTree, parseFieldPath, resolveFieldValue } from "../manifests/field-path.js";
import type { PathSegment } from "../manifests/field-path.js";
import { managedFieldsOf } from "./managed-fields.js";
import type { ManagedFieldsEntry } from "./managed-fields.js";
import { SECRET_MASK } from "./secrets.js";
import type { FieldConflict } from "./types.js";

/** Values longer than this are cut: a conflict line is a pointer, not a dump. */
const MAX_VALUE_LENGTH = 200;

export interface ConflictCause {
  manager: string;
  subresource?: string;
  /** Present exactly when the owner's operation is `Update`. */
  apiVersion?: string;
  time?: string;
}

/** A cause as the API server sends it in `details.causes[]`. */
export interface StatusCauseLike {
  reason?: string;
  message?: string;
  field?: string;
}

export interface AnalyzeConflictsParams {
  /** `Kind/namespace/name`. */
  object: string;
  causes: readonly StatusCauseLike[];
  /** The object in the cluster, whose managedFields name the owners. */
  live: KubeObject | undefined;
  /** The forced dry-run result, or the manifest. */
  desired: KubeObject;
  /** Decided from the object the server returned: values are then masked, never shown. */
  isSecret: boolean;
}

// `conflict with %q[ with subresource %q][ using <apiVersion>[ at <RFC 3339>]]`, as printed by
// printManager in k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager; `using` only for `Update`.
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const CAUSE_MESSAGE = new RegExp(String.raw`conflicts? with ${QUOTED}(?: with subresource ${QUOTED})?(?: using (\S+)(?: at (\S+))?)?`);

/** Reads a cause message; undefined when it does not name a manager. */
export function parseConflictCause(message: string): ConflictCause | undefined {
  const match = CAUSE_MESSAGE.exec(message);
  if (!match || match[1] === undefined) return undefined;
  const [, manager, subresource, apiVersion, time] = match;
  return {
    manager: unquote(manager ?? ""),
    ...(subresource !== undefined ? { subresource: unquote(subresource) } : {}),
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(time !== undefined ? { time } : {}),
  };
}

/** Go's %q and JSON agree on the escapes that matter here; anything else is kept as sent. */
function unquote(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/** One finding per `FieldManagerConflict` cause; other causes are not ownership conflicts. */
export function analyzeConflicts(params: AnalyzeConflictsParams): FieldConflict[] {
  return params.causes.filter((cause) => cause.reason === "FieldManagerConflict").map((cause) => analyzeCause(params, cause));
}

function analyzeCause(params: AnalyzeConflictsParams, cause: StatusCauseLike): FieldConflict {
  const field = cause.field ?? "";
  const parsed = parseConflictCause(cause.message ?? "");
  const entry = parsed && findOwnerEntry(managedFieldsOf(params.live), parsed);
  const owner: ConflictOwner = {
    manager: parsed?.manager ?? "unknown",
    operation: entry?.operation ?? (parsed && (parsed.apiVersion !== undefined ? "Update" : "Apply")),
    subresource: parsed?.subresource,
  };
  const time = entry?.time ?? parsed?.time;
  const kind = classifyOwner(owner);
  const segments = resolvePath(field, entry, params);
  const conflict: FieldConflict = {
    object: params.object,
    field,
    manager: owner.manager,
    ownerKind: kind,
    advice: adviseOnConflict({ owner, kind, field, ...(time !== undefined ? { time } : {}) }),
    blocking: kind === "gitops-tool",
  };
  if (owner.operation !== undefined) conflict.operation = owner.operation;
  if (owner.subresource !== undefined) conflict.subresource = owner.subresource;
  const apiVersion = entry?.apiVersion ?? parsed?.apiVersion;
  if (apiVersion !== undefined) conflict.apiVersion = apiVersion;
  if (time !== undefined) conflict.time = time;
  if (segments) fillValues(conflict, segments, params);
  return conflict;
}

/**
 * The owner's entry: same manager and subresource, and the same operation — one manager can
 * hold an `Apply` entry and `Update` entries for several apiVersions at once.
 */
function findOwnerEntry(entries: ManagedFieldsEntry[], cause: ConflictCause): ManagedFieldsEntry | undefined {
  const candidates = entries.filter((entry) => entry.manager === cause.manager && entry.subresource === cause.subresource);
  const exact =
    cause.apiVersion !== undefined
      ? candidates.find((entry) => entry.operation === "Update" && entry.apiVersion === cause.apiVersion)
      : candidates.find((entry) => entry.operation === "Apply");
  return exact ?? candidates[0];
}

/**
 * The owner's fieldsV1 holds the conflicting field by definition, so it settles which dots are
 * separators; the objects themselves are the fallback when the entry is missing.
 */
function resolvePath(field: string, entry: ManagedFieldsEntry | undefined, params: AnalyzeConflictsParams): PathSegment[] | undefined {
  const trees = [
    ...(entry?.fieldsV1 !== undefined ? [fieldsV1Tree(entry.fieldsV1)] : []),
    ...(params.live ? [objectTree(params.live)] : []),
    objectTree(params.desired),
  ];
  for (const tree of trees) {
    const segments = parseFieldPath(field, tree);
    if (segments) return segments;
  }
  return undefined;
}

function fillValues(conflict: FieldConflict, segments: PathSegment[], params: AnalyzeConflictsParams): void {
  const liveValue = params.live && shortValue(resolveFieldValue(params.live, segments), params.isSecret);
  const desiredValue = shortValue(resolveFieldValue(params.desired, segments), params.isSecret);
  if (liveValue !== undefined) conflict.liveValue = liveValue;
  if (desiredValue !== undefined) conflict.desiredValue = desiredValue;
}

/** Single-line JSON, cut to MAX_VALUE_LENGTH; for Secrets only the mask. */
function shortValue(value: unknown, secret: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (secret) return SECRET_MASK;
  const json = JSON.stringify(value);
  return json.length > MAX_VALUE_LENGTH ? `${json.slice(0, MAX_VALUE_LENGTH - 1)}…` : json;
}
