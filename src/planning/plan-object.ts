// The plan of one object: against the cluster (live object and server-side dry-run) or,
// offline, against the same object at the base revision.
import type { ObjectStore } from "../kube/objects.js";
import { lineOfFieldPath } from "../manifests/field-path.js";
import { displayName, refOf, type KubeObject } from "../manifests/object.js";
import type { SourceObject } from "../manifests/types.js";
import { analyzeConflicts } from "../plan/conflicts.js";
import { diffObjects, objectsDiffer } from "../plan/diff.js";
import { isSecret, scrubSecretValues, secretKeyChanges } from "../plan/secrets.js";
import type { ObjectPlan, SecretKeyChange } from "../plan/types.js";
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
}

export async function planObjectAgainstCluster(params: {
  store: ObjectStore;
  source: SourceObject;
  body: KubeObject;
  context: ObjectPlanContext;
  /** The live object when it was read already (`null`: it does not exist); undefined: GET it. */
  live?: KubeObject | null;
}): Promise<ObjectPlan> {
  const { store, source, body, context } = params;
  const ref = refOf(body);
  const base = { ref, name: displayName(ref), position: source.position, conflicts: [] };
  const [live, outcome] = await Promise.all([
    params.live === undefined ? store.get(ref) : (params.live ?? undefined),
    dryRunObject({ store, object: body, fieldManager: context.fieldManager }),
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
  const conflicts = analyzeConflicts({ object: base.name, causes: outcome.conflicts, live, desired: outcome.result, isSecret: secret }).map(
    (conflict) => ({ ...conflict, position: { ...source.position, line: lineOfFieldPath(source, conflict.field) } }),
  );
  return { ...base, ...compare({ name: base.name, before: live, after: outcome.result, secret, diffs: context.diffs }), conflicts };
}

/** Offline: the object at the base revision stands in for the live one. */
export function planObjectOffline(params: { source: SourceObject; body: KubeObject; base: KubeObject | undefined }): ObjectPlan {
  const ref = refOf(params.body);
  const name = displayName(ref);
  const secret = isSecret(params.body);
  return { ref, name, position: params.source.position, conflicts: [], ...compare({ name, before: params.base, after: params.body, secret, diffs: true }) };
}

function compare(params: { name: string; before: KubeObject | undefined; after: KubeObject; secret: boolean; diffs: boolean }): Pick<
  ObjectPlan,
  "action" | "diff" | "secretKeys"
> {
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
