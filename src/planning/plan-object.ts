// The plan of one object: against the cluster (live object and server-side dry-run) or,
// offline, against the same object at the base revision.
import { withoutConfigHash } from "../desired/stamp.js";
import type { ObjectStore } from "../kube/objects.js";
import { lineOfFieldPath } from "../manifests/field-path.js";
import { displayName, refOf, type KubeObject } from "../manifests/object.js";
import type { SourceObject } from "../manifests/types.js";
import { analyzeConflicts } from "../plan/conflicts.js";
import { diffObjects, objectsDiffer } from "../plan/diff.js";
import { appliedBySlipway, currentManagers, type Ownership } from "../plan/ownership.js";
import { isSecret, scrubSecretValues, secretKeyChanges } from "../plan/secrets.js";
import type { FieldConflict, ObjectPlan, SecretKeyChange } from "../plan/types.js";
import { describeRejection } from "./describe-rejection.js";
import { dryRunObject } from "./dry-run.js";

export interface ObjectPlanContext {
  fieldManager: string;
  /** Namespaces created by this change: a dry-run inside them cannot succeed yet. */
  namespacesCreatedHere: Set<string>;
  /** Every Secret of the change, to scrub their values from server messages. */
  secrets: KubeObject[];
  /** Render diffs (false for the apply's preflight, which only needs the actions). */
  diffs: boolean;
  /** How to tell that Slipway applied a live object for this environment; otherwise merging adopts it. */
  ownership: Ownership;
  /**
   * Secrets (by display name) whose live values a plan must not compare with the change's,
   * because Slipway did not write them for this repository: the keys it may still compare.
   */
  uncomparedSecrets: Map<string, Set<string>>;
  /** Workloads (by display name) whose config hash covers one of `uncomparedSecrets`. */
  hashNotCompared: Set<string>;
}

export async function planObjectAgainstCluster(params: {
  store: ObjectStore;
  source: SourceObject;
  body: KubeObject;
  context: ObjectPlanContext;
  /** The live object when it was read already (`null`: it does not exist); undefined: GET it. */
  live?: KubeObject | null;
  signal?: AbortSignal;
}): Promise<ObjectPlan> {
  const { store, source, body, context, signal } = params;
  const ref = refOf(body);
  const base = { ref, name: displayName(ref), position: source.position, conflicts: [] };
  const [live, outcome] = await Promise.all([
    params.live === undefined ? store.get(ref, { signal }) : (params.live ?? undefined),
    dryRunObject({ store, object: body, fieldManager: context.fieldManager, signal }),
  ]);
  if (outcome.kind === "rejected") {
    const rejection = describeRejection({ error: outcome.error, namespace: ref.namespace, namespacesCreatedHere: context.namespacesCreatedHere });
    const line = rejection.fields.length > 0 ? lineOfFieldPath(source, rejection.fields[0] ?? "") : source.position.line;
    return {
      ...base,
      action: rejection.action,
      position: { ...source.position, line },
      note: scrubSecretValues(rejection.note, context.secrets),
    };
  }
  const secret = isSecret(outcome.result);
  const comparable = secret ? context.uncomparedSecrets.get(base.name) : undefined;
  const conflicts = analyzeConflicts({ object: base.name, causes: outcome.conflicts, live, desired: outcome.result, isSecret: secret })
    .filter((conflict) => comparable === undefined || !hidesSecretValue(conflict, comparable))
    .map((conflict) => ({ ...conflict, position: { ...source.position, line: lineOfFieldPath(source, conflict.field) } }));
  const compared = compare({
    name: base.name,
    before: live,
    after: outcome.result,
    secret,
    diffs: context.diffs,
    ...(comparable ? { comparableKeys: comparable, writtenKeys: new Set(secretKeyChanges(undefined, body).map((change) => change.key)) } : {}),
    hashNotCompared: context.hashNotCompared.has(base.name),
  });
  if (live !== undefined && !appliedBySlipway(live, context.ownership)) {
    const managers = currentManagers(live);
    const note = `Exists, and Slipway did not apply it for this environment: merging takes it over${managers.length > 0 ? ` from ${managers.join(", ")}` : ""}.`;
    return { ...base, ...compared, action: "adopt", note: compared.note ? `${note} ${compared.note}` : note, conflicts };
  }
  return { ...base, ...compared, conflicts };
}

/**
 * A conflict on a Secret value the plan may not compare: the API server reports one only when
 * the values differ, so showing it would tell the change's author whether a guess is right.
 */
function hidesSecretValue(conflict: FieldConflict, comparableKeys: Set<string>): boolean {
  const match = /^\.(?:data|stringData)\.(.+)$/.exec(conflict.field);
  return match !== null && !comparableKeys.has(match[1] ?? "");
}

/** Offline: the object at the base revision stands in for the live one. */
export function planObjectOffline(params: { source: SourceObject; body: KubeObject; base: KubeObject | undefined }): ObjectPlan {
  const ref = refOf(params.body);
  const name = displayName(ref);
  const secret = isSecret(params.body);
  return { ref, name, position: params.source.position, conflicts: [], ...compare({ name, before: params.base, after: params.body, secret, diffs: true, hashNotCompared: false }) };
}

type Compared = Pick<ObjectPlan, "action" | "diff" | "secretKeys" | "note">;

function compare(params: {
  name: string;
  before: KubeObject | undefined;
  after: KubeObject;
  secret: boolean;
  diffs: boolean;
  /** For a Secret whose live values may not be compared: the keys that may. */
  comparableKeys?: Set<string>;
  /** …and the keys the change itself writes (the dry-run's result holds the live ones too). */
  writtenKeys?: Set<string>;
  /** A workload whose config hash covers such a Secret: its hash is not compared. */
  hashNotCompared: boolean;
}): Compared {
  if (params.comparableKeys) return compareGuardedSecret({ ...params, comparableKeys: params.comparableKeys, writtenKeys: params.writtenKeys ?? new Set() });
  if (params.hashNotCompared) {
    // The hash is left out of the diff: whether it changed would say whether the Secret's value
    // did, and its value could be checked against the hash of any live workload reading the Secret.
    const before = params.before ? withoutConfigHash(params.before) : undefined;
    const compared = compare({ ...params, before, after: withoutConfigHash(params.after), hashNotCompared: false });
    if (!params.before) return { ...compared, note: "Its config hash covers a Secret whose live values Slipway did not write for this repository, so the plan does not show it." };
    return {
      ...compared,
      action: "change",
      note: "May roll out: its config hash covers a Secret whose live values Slipway did not write for this repository, so the plan does not compare them.",
    };
  }
  if (!params.diffs) {
    const changed = objectsDiffer(params.before, params.after) || (params.secret && secretKeyChanges(params.before, params.after).some((key) => key.state !== "unchanged"));
    return { action: !params.before ? "create" : changed ? "change" : "unchanged" };
  }
  const diff = diffObjects({ name: params.name, live: params.before, desired: params.after });
  const secretKeys: SecretKeyChange[] | undefined = params.secret ? secretKeyChanges(params.before, params.after) : undefined;
  if (!params.before) return { action: "create", diff, ...(secretKeys ? { secretKeys } : {}) };
  const secretChanged = secretKeys?.some((key) => key.state !== "unchanged") ?? false;
  const action = diff !== "" || secretChanged ? "change" : "unchanged";
  return { action, ...(diff ? { diff } : {}), ...(secretKeys ? { secretKeys } : {}) };
}

/**
 * A Secret whose live values Slipway did not write for this repository: keys it wrote are
 * compared as usual; every other key the change sets is "written" (never compared), and live
 * keys the change does not name are not listed at all. Data is left out of the diff.
 */
function compareGuardedSecret(params: { name: string; before: KubeObject | undefined; after: KubeObject; diffs: boolean; comparableKeys: Set<string>; writtenKeys: Set<string> }): Compared {
  const withoutData = (object: KubeObject): KubeObject => {
    const { data: _data, stringData: _stringData, ...rest } = object;
    return rest;
  };
  const secretKeys = secretKeyChanges(params.before, params.after).flatMap((change): SecretKeyChange[] => {
    if (params.comparableKeys.has(change.key)) return [change];
    return params.writtenKeys.has(change.key) ? [{ key: change.key, state: "written" }] : [];
  });
  const before = params.before ? withoutData(params.before) : undefined;
  const after = withoutData(params.after);
  const diff = params.diffs ? diffObjects({ name: params.name, live: before, desired: after }) : "";
  const changed = params.diffs ? diff !== "" : objectsDiffer(before, after);
  const note = "Values not compared: the live Secret's values were not written by Slipway for this repository, so the plan shows which keys the change writes, not whether they differ.";
  if (!params.before) return { action: "create", ...(diff ? { diff } : {}), secretKeys };
  const action = changed || secretKeys.some((change) => change.state !== "unchanged") ? "change" : "unchanged";
  return { action, ...(diff ? { diff } : {}), secretKeys, note };
}
