// The plan of one environment: what merging the change would do to its cluster. One engine for
// the GitHub App, the command line and the apply's preflight.
//   1. read the manifests at the head and base revisions, and validate them;
//   2. stamp the whole desired set (labels, config hashes) as the apply will;
//   3. dry-run every planned object against the cluster (or, offline, compare with the base);
//   4. preview the pruning of objects the change removes, and explain config roll-outs;
//   5. return the plan as data, for render/.
import { annotateRollouts } from "../desired/annotate-rollouts.js";
import { ownerLabels } from "../desired/desired-state.js";
import { carriesOwnerLabels, keysWrittenBySlipway, type Ownership } from "../plan/ownership.js";
import type { EnvironmentConfig } from "../config/schema.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, identityKey, refOf, type KubeObject, type ObjectRef } from "../manifests/object.js";
import type { Finding, SourceObject } from "../manifests/types.js";
import { previewPrune } from "../plan/prune.js";
import { isSecret, secretKeyChanges } from "../plan/secrets.js";
import type { EnvironmentPlan, ObjectPlan, PlanMode } from "../plan/types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import { mapYielding } from "../util/map-yielding.js";
import { describeClusterFailure } from "./describe-failure.js";
import { prepareDesired } from "./prepare-desired.js";
import { developmentConfigHashKey } from "../config/server-security.js";
import { type DesiredState } from "../desired/desired-state.js";
import type { CanaryDecision, HoldBack } from "../desired/canary.js";
import { canaryPlanOf } from "../desired/canary-plan.js";
import { stoppedReading, type LoadedSources, type ManifestFile } from "../manifests/manifest-file.js";
import { sharedParsePool, type ManifestParser } from "./parse-pool.js";
import { validateSources } from "./validate-sources.js";
import { planObjectAgainstCluster, planObjectOffline, type ObjectPlanContext } from "./plan-object.js";
import { prefetchLive } from "./prefetch-live.js";
import { selectPlanned } from "./select-planned.js";

export type PlanTarget = { mode: "cluster"; store: ObjectStore; context: string } | { mode: Exclude<PlanMode, "cluster"> };

export interface PlanEnvironmentParams {
  environment: EnvironmentConfig;
  /** The manifest files to plan at the head revision (for a pull request: those it changes). */
  head: ManifestFile[];
  /** The same paths at the base revision, where they exist. */
  base: ManifestFile[];
  /**
   * Every manifest of the environment at the head revision, when known. Config hashes are then
   * computed over the whole desired set, and workloads that read a changed ConfigMap or Secret
   * are planned too, though their own files did not change.
   */
  headAll?: ManifestFile[];
  target: PlanTarget;
  fieldManager: string;
  /** The server's key for config hashes (default: the public development key). */
  configHashKey?: string;
  /** Render diffs (default true); the apply's preflight needs only the actions. */
  diffs?: boolean;
  /** Requests in flight against the API server (default 32: measured fastest for 500 objects on 2 cores). */
  concurrency?: number;
  /** Gives every request to the cluster up when it fires (the apply's Lease was lost). */
  signal?: AbortSignal;
  /** Parses the manifests off the event loop (default: the process's pool of worker threads). */
  parser?: ManifestParser;
  /** The head's files (`headAll ?? head`), already being parsed: the apply starts as soon as it has read them. */
  parsedHead?: Promise<LoadedSources>;
  /**
   * Holds canaried workloads back (canary/prepare.ts): the bodies sent keep what runs, and their new
   * revision goes to a canary. With diffs, the plan shows Git's change of a held-back Deployment or
   * its config (what the canary will run), with a note; the apply sends what is held back.
   */
  holdBack?: HoldBack;
  /** Dry-run the held-back bodies even with diffs (drift compares the cluster with what the apply sends). */
  planSentBodies?: boolean;
}

/** The plan of an environment whose kustomize or helm source did not render: its findings, nothing to do. */
export function unrenderedPlan(params: { environment: EnvironmentConfig; target: PlanTarget; findings: Finding[] }): EnvironmentPlan {
  const { environment, target } = params;
  return {
    environment: environment.name,
    mode: target.mode,
    objects: [],
    findings: params.findings,
    conflictsFail: environment.conflicts === "fail",
    ...(target.mode === "cluster" ? { context: target.context } : {}),
  };
}

export async function planEnvironment(params: PlanEnvironmentParams): Promise<EnvironmentPlan> {
  return (await planWithBodies(params)).plan;
}

/** The plan and the stamped bodies it dry-ran: the apply sends exactly these. */
export async function planWithBodies(params: PlanEnvironmentParams): Promise<{ plan: EnvironmentPlan; desired?: DesiredState; canaries?: CanaryDecision[] }> {
  const { environment, target } = params;
  const configHashKey = params.configHashKey ?? developmentConfigHashKey;
  let desired: DesiredState | undefined;
  let canaries: CanaryDecision[] | undefined;
  const plan: EnvironmentPlan = {
    environment: environment.name,
    mode: target.mode,
    objects: [],
    findings: [],
    conflictsFail: environment.conflicts === "fail",
    ...(target.mode === "cluster" ? { context: target.context } : {}),
  };
  // In worker threads, head and base side by side: a huge or hostile change never blocks the
  // event loop, and a budget over all the files (bytes, documents, objects, alias copies), a
  // timeout or a parse that runs out of memory is a finding.
  const parser = params.parser ?? sharedParsePool();
  const [parsedHead, parsedBase] = await Promise.all([params.parsedHead ?? parser.parse(params.headAll ?? params.head), parser.parse(params.base)]);
  // Part of the manifests would plan part of the change: the rest would show as pruned.
  const stopped = [...stoppedReading(parsedHead), ...stoppedReading(parsedBase)];
  if (stopped.length > 0) return { plan: { ...plan, findings: stopped } };
  try {
    const isNamespaced = target.mode === "cluster" ? await clusterScopes(target.store, [...parsedHead.objects, ...parsedBase.objects]) : undefined;
    const head = validateSources({ parsed: parsedHead, environment, isNamespaced });
    const base = validateSources({ parsed: parsedBase, environment, isNamespaced });
    const store = target.mode === "cluster" ? target.store : undefined;
    desired = await prepareDesired({ objects: objectsOf(head), environment, configHashKey, ...(store ? { store } : {}), concurrency: params.concurrency, signal: params.signal });
    const changedPaths = params.headAll ? new Set([...params.head, ...params.base].map((file) => file.path)) : undefined;
    const selected = selectPlanned({ head, base: changedPaths ? base : { objects: [], findings: [] }, changedPaths, desired });
    plan.findings = selected.findings;
    const held = store && params.holdBack ? await params.holdBack(desired.bodies) : undefined;
    const shown = held && (params.diffs ?? true) && !params.planSentBodies ? shownBodies(desired.bodies, held) : undefined;
    if (held) desired = { ...desired, bodies: held.bodies };
    let objects = store
      ? await planAgainstCluster({ params, store, planned: selected.objects, head, base, desired, ...(shown ? { shown } : {}) })
      : await planOffline({ planned: selected.objects, head, base, desired, environment, configHashKey });
    if (held) {
      canaries = held.decisions;
      plan.canaries = held.decisions.map(canaryPlanOf);
      objects = noteHeldBack(objects, held.decisions);
    }
    plan.objects = annotateRollouts({ plans: objects, rollouts: desired.rollouts });
    if (!environment.adopt) plan.findings.push(...adoptionRefusals(plan.objects));
  } catch (error) {
    if (target.mode !== "cluster") throw error;
    plan.error = describeClusterFailure({ environment: environment.name, context: target.context, error, secrets: secretsOf([parsedHead, parsedBase]) });
  }
  return { plan, ...(desired ? { desired } : {}), ...(canaries ? { canaries } : {}) };
}

/** What the cluster serves, refreshed when the manifests name a kind discovery has not seen. */
async function clusterScopes(store: ObjectStore, sources: SourceObject[]) {
  const lookup = await store.discovery.snapshot(sources.map(({ object }) => object));
  return (ref: { apiVersion: string; kind: string }) => lookup(ref)?.namespaced;
}

async function planAgainstCluster(args: {
  params: PlanEnvironmentParams;
  store: ObjectStore;
  planned: SourceObject[];
  head: LoadedSources;
  base: LoadedSources;
  desired: DesiredState;
  /** Bodies to dry-run instead of the desired ones (Git's content of held-back objects, for people to review). */
  shown?: Map<string, KubeObject>;
}): Promise<ObjectPlan[]> {
  const { params, store, planned, head, base, desired } = args;
  const { signal } = params;
  const concurrency = params.concurrency ?? 32;
  const ownership: Ownership = { fieldManager: params.fieldManager, ownerLabels: ownerLabels(params.environment) };
  const lookup = await store.discovery.snapshot();
  const bodyOf = (source: SourceObject) => {
    const key = identityKey(refOf(source.object));
    return args.shown?.get(key) ?? desired.bodies.get(key) ?? source.object;
  };
  const served = planned.filter((source) => lookup(bodyOf(source)));
  const prefetched = await prefetchLive(store, served.map(bodyOf), signal);
  const guarded = await guardedSecrets({ store, desired, planned: served.map(bodyOf), prefetched, ownership, concurrency, signal });
  const context: ObjectPlanContext = {
    fieldManager: params.fieldManager,
    namespacesCreatedHere: new Set(head.objects.filter(({ object }) => object.kind === "Namespace" && object.apiVersion === "v1").map(({ object }) => object.metadata.name ?? "")),
    // The base's Secrets too: a rejection's message is scrubbed of the values of both revisions.
    secrets: [...objectsOf(head), ...objectsOf(base)].filter(isSecret),
    diffs: params.diffs ?? true,
    ownership,
    ...guarded,
  };
  const objects = await mapConcurrent(planned, concurrency, (source) => {
    const body = bodyOf(source);
    if (!lookup(body)) return Promise.resolve(unservedKind(source));
    const key = identityKey(refOf(body));
    return planObjectAgainstCluster({ store, source, body, context, signal, ...(prefetched.has(key) ? { live: prefetched.get(key) ?? null } : {}) });
  });
  const removed = removedObjects(head, base);
  const live = new Map<string, KubeObject | undefined>();
  await mapConcurrent(removed, concurrency, async (ref) => {
    live.set(identityKey(ref), lookup(ref) ? await store.get(ref, { signal }) : undefined);
  });
  const pruned = previewPrune({
    desiredKeys: new Set(head.objects.map(({ object }) => identityKey(refOf(object)))),
    inventory: removed,
    live,
    fieldManager: params.fieldManager,
    ownerLabels: ownership.ownerLabels,
  });
  return [...objects, ...pruned];
}

/**
 * The Secrets of the desired set whose live values the plan must not compare with the change's:
 * those that exist and whose keys Slipway did not write for this repository (only the keys it
 * wrote may be compared), and the workloads whose config hash covers one of them — comparing
 * their hashes would compare the values too.
 */
async function guardedSecrets(params: {
  store: ObjectStore;
  desired: DesiredState;
  planned: KubeObject[];
  prefetched: Map<string, KubeObject | undefined>;
  ownership: Ownership;
  concurrency: number;
  signal: AbortSignal | undefined;
}): Promise<Pick<ObjectPlanContext, "uncomparedSecrets" | "hashNotCompared">> {
  const { desired } = params;
  const plannedNames = new Set(params.planned.map((body) => displayName(refOf(body))));
  const coveredByPlanned = new Set([...desired.rollouts].filter(([workload]) => plannedNames.has(workload)).flatMap(([, configs]) => configs));
  const secrets = [...desired.bodies.values()].filter((body) => isSecret(body) && (plannedNames.has(displayName(refOf(body))) || coveredByPlanned.has(displayName(refOf(body)))));
  const uncomparedSecrets = new Map<string, Set<string>>();
  await mapConcurrent(secrets, params.concurrency, async (secret) => {
    const key = identityKey(refOf(secret));
    const live = params.prefetched.has(key) ? params.prefetched.get(key) : await params.store.get(refOf(secret), { signal: params.signal });
    if (live === undefined) return;
    const comparable = carriesOwnerLabels(live, params.ownership) ? keysWrittenBySlipway(live, params.ownership) : new Set<string>();
    const written = secretKeyChanges(undefined, secret).map((change) => change.key);
    if (written.some((name) => !comparable.has(name))) uncomparedSecrets.set(displayName(refOf(secret)), comparable);
  });
  const hashNotCompared = new Set([...desired.rollouts].filter(([, configs]) => configs.some((config) => uncomparedSecrets.has(config))).map(([workload]) => workload));
  return { uncomparedSecrets, hashNotCompared };
}

async function planOffline(args: {
  planned: SourceObject[];
  head: LoadedSources;
  base: LoadedSources;
  desired: DesiredState;
  environment: EnvironmentConfig;
  configHashKey: string;
}): Promise<ObjectPlan[]> {
  const { planned, head, base, desired } = args;
  // The base revision stamped like the head, so only what the change does shows in the diff.
  const baseDesired = await prepareDesired({ objects: objectsOf(base), environment: args.environment, configHashKey: args.configHashKey });
  // Each diff is computed here, on the event loop: a turn for other work every 20 ms.
  const objects = await mapYielding(planned, (source) => {
    const key = identityKey(refOf(source.object));
    return planObjectOffline({ source, body: desired.bodies.get(key) ?? source.object, base: baseDesired.bodies.get(key) });
  });
  const pruned: ObjectPlan[] = removedObjects(head, base).map((ref) => ({
    ref,
    name: displayName(ref),
    action: "prune",
    conflicts: [],
    note: "Removed from the manifests: merging prunes it if Slipway applied it (not checked without a cluster).",
  }));
  return [...objects, ...pruned];
}

/**
 * Taking over an object Slipway did not apply needs `adopt: true`: otherwise a change could take
 * over someone else's object now and prune it later, by removing it from Git.
 */
function adoptionRefusals(objects: ObjectPlan[]): Finding[] {
  return objects
    .filter((object) => object.action === "adopt")
    .map((object) => ({
      severity: "error" as const,
      code: "adopt-not-allowed",
      message: `${object.name} exists, and Slipway did not apply it for this environment: taking it over needs \`adopt: true\` for the environment in .github/slipway.yml (which the server's policy must grant), or a name of its own.`,
      object: object.name,
      ...(object.position ? { position: object.position } : {}),
    }));
}

/**
 * For the plan people read: Git's content of a held-back Deployment or config (what the canary
 * will run), while a held-back route keeps the router's weights — its Git content would show a
 * conflict with the canary's router that the apply never meets.
 */
function shownBodies(gitBodies: Map<string, KubeObject>, held: { bodies: Map<string, KubeObject>; decisions: CanaryDecision[] }): Map<string, KubeObject> {
  const shown = new Map<string, KubeObject>();
  for (const [key, body] of gitBodies) {
    const sent = held.bodies.get(key);
    if (sent !== body && (body.kind === "Deployment" || body.kind === "ConfigMap" || body.kind === "Secret")) shown.set(key, body);
  }
  return shown;
}

function noteHeldBack(objects: ObjectPlan[], decisions: CanaryDecision[]): ObjectPlan[] {
  const notes = new Map<string, string>();
  for (const decision of decisions) {
    if (decision.kind === "none" || decision.kind === "promote" || decision.kind === "revert") continue;
    const note =
      decision.kind === "held"
        ? `Held back: ${decision.reason}`
        : `Rolled out as a canary: Deployment ${decision.workload}-canary runs this, and the stable pods keep what they run until promotion.`;
    for (const name of decision.heldBack) notes.set(name, note);
  }
  return objects.map((object) => {
    const note = notes.get(object.name);
    return note ? { ...object, note: object.note ? `${object.note} ${note}` : note } : object;
  });
}

/** Objects at the base revision that the head revision no longer has. */
function removedObjects(head: LoadedSources, base: LoadedSources): ObjectRef[] {
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

const objectsOf = (sources: LoadedSources): KubeObject[] => sources.objects.map(({ object }) => object);

function secretsOf(parsed: LoadedSources[]): KubeObject[] {
  return parsed.flatMap((sources) => sources.objects.map(({ object }) => object)).filter(isSecret);
}
