// The plan of one environment: what merging the change would do to its cluster. One engine for
// the GitHub App and the command line.
//   1. read and validate the manifests at the head and base revisions;
//   2. dry-run every object against the cluster (or, offline, compare it with the base);
//   3. preview the pruning of objects the change removes;
//   4. return the plan as data, for render/.
import type { EnvironmentConfig } from "../config/schema.js";
import { stampObject, environmentLabel } from "../apply/stamp.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, identityKey, refOf, type KubeObject } from "../manifests/object.js";
import type { SourceObject } from "../manifests/types.js";
import { previewPrune } from "../plan/prune.js";
import { isSecret } from "../plan/secrets.js";
import type { EnvironmentPlan, ObjectPlan, PlanMode } from "../plan/types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import { describeClusterFailure } from "./describe-failure.js";
import { loadSources, type LoadedSources, type ManifestFile } from "./load-sources.js";
import { planObjectAgainstCluster, planObjectOffline, type ObjectPlanContext } from "./plan-object.js";

export type PlanTarget =
  | { mode: "cluster"; store: ObjectStore; context: string }
  | { mode: Exclude<PlanMode, "cluster"> };

export interface PlanEnvironmentParams {
  environment: EnvironmentConfig;
  /** The environment's manifest files at the head revision (for a pull request: those it changes). */
  head: ManifestFile[];
  /** The same paths at the base revision, where they exist. */
  base: ManifestFile[];
  target: PlanTarget;
  fieldManager: string;
  /** Requests in flight against the API server (default 16). */
  concurrency?: number;
}

export async function planEnvironment(params: PlanEnvironmentParams): Promise<EnvironmentPlan> {
  const { environment, target } = params;
  const plan: EnvironmentPlan = {
    environment: environment.name,
    mode: target.mode,
    objects: [],
    findings: [],
    conflictsFail: environment.conflicts === "fail",
    ...(target.mode === "cluster" ? { context: target.context } : {}),
  };
  if (target.mode !== "cluster") {
    const head = loadSources({ files: params.head, environment });
    const base = loadSources({ files: params.base, environment });
    plan.findings = head.findings;
    plan.objects = planOffline({ head, base, environment: environment.name });
    return plan;
  }
  try {
    const lookup = await target.store.discovery.snapshot();
    const isNamespaced = (ref: { apiVersion: string; kind: string }) => lookup(ref)?.namespaced;
    const head = loadSources({ files: params.head, environment, isNamespaced });
    const base = loadSources({ files: params.base, environment, isNamespaced });
    plan.findings = head.findings;
    plan.objects = await planAgainstCluster({ params, store: target.store, head, base });
  } catch (error) {
    plan.error = describeClusterFailure({ environment: environment.name, context: target.context, error, secrets: secretsOf(params) });
  }
  return plan;
}

async function planAgainstCluster({
  params,
  store,
  head,
  base,
}: {
  params: PlanEnvironmentParams;
  store: ObjectStore;
  head: LoadedSources;
  base: LoadedSources;
}): Promise<ObjectPlan[]> {
  const { environment } = params;
  const context: ObjectPlanContext = {
    fieldManager: params.fieldManager,
    namespacesCreatedHere: new Set(
      head.objects.filter(({ object }) => object.kind === "Namespace" && object.apiVersion === "v1").map(({ object }) => object.metadata.name ?? ""),
    ),
    secrets: [...head.objects, ...base.objects].map(({ object }) => object).filter(isSecret),
  };
  const lookup = await store.discovery.snapshot();
  const planned = await mapConcurrent(head.objects, params.concurrency ?? 16, (source) => {
    const body = stampObject(source.object, { environment: environment.name });
    if (!lookup(body)) return Promise.resolve(unservedKind(source));
    return planObjectAgainstCluster({ store, source, body, context });
  });
  const removed = removedObjects(head, base);
  const live = new Map<string, KubeObject | undefined>();
  await mapConcurrent(removed, params.concurrency ?? 16, async (ref) => {
    live.set(identityKey(ref), lookup(ref) ? await store.get(ref) : undefined);
  });
  const pruned = previewPrune({
    desiredKeys: new Set(head.objects.map(({ object }) => identityKey(refOf(object)))),
    inventory: removed,
    live,
    fieldManager: params.fieldManager,
    ownerLabel: { key: environmentLabel, value: environment.name },
  });
  return [...planned, ...pruned];
}

function planOffline(params: { head: LoadedSources; base: LoadedSources; environment: string }): ObjectPlan[] {
  const stamp = (object: KubeObject) => stampObject(object, { environment: params.environment });
  const baseByKey = new Map(params.base.objects.map(({ object }) => [identityKey(refOf(object)), stamp(object)]));
  const planned = params.head.objects.map((source) =>
    planObjectOffline({ source, body: stamp(source.object), base: baseByKey.get(identityKey(refOf(source.object))) }),
  );
  const pruned: ObjectPlan[] = removedObjects(params.head, params.base).map((ref) => ({
    ref,
    name: displayName(ref),
    action: "prune",
    conflicts: [],
    note: "Removed from the manifests: merging prunes it if Slipway applied it (not checked without a cluster).",
  }));
  return [...planned, ...pruned];
}

/** Objects at the base revision that the head revision no longer has. */
function removedObjects(head: LoadedSources, base: LoadedSources) {
  const kept = new Set(head.objects.map(({ object }) => identityKey(refOf(object))));
  return base.objects.map(({ object }) => refOf(object)).filter((ref) => !kept.has(identityKey(ref)));
}

/** A kind the cluster does not serve yet because its CRD is part of the same change. */
function unservedKind(source: SourceObject): ObjectPlan {
  const ref = refOf(source.object);
  return {
    ref,
    name: displayName(ref),
    action: "unverified",
    position: source.position,
    conflicts: [],
    note: `The cluster does not serve ${ref.kind} in ${ref.apiVersion} yet: its CustomResourceDefinition is new in this change, so this object was validated against the manifest rules only.`,
  };
}

function secretsOf(params: PlanEnvironmentParams): KubeObject[] {
  const all = loadSources({ files: [...params.head, ...params.base], environment: params.environment });
  return all.objects.map(({ object }) => object).filter(isSecret);
}
