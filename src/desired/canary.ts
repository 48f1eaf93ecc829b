// What a merge that changes a canaried workload sends to the cluster: the stable Deployment, the
// ConfigMaps and Secrets it reads and the route keep what runs now (they are "held back"), and the
// new revision goes to a canary beside it — a Deployment `<name>-canary` whose pods carry label
// values of their own (so the stable Service never selects them), a Service `<service>-canary`,
// and copies of the config it reads named for the revision (so stable pods never see new config
// before promotion). One pure function, so the plan shows exactly what the apply sends.
import { createHash } from "node:crypto";
import { canaryWorkloadName, type CanaryConfig } from "../config/canary-schema.js";
import { displayName, identityKey, isPlainObject, refOf, type KubeObject, type ObjectMeta, type ObjectRef } from "../manifests/object.js";
import { applySetPartOfLabel } from "./stamp.js";
import { configReferences, renameConfigReferences, type ConfigKind } from "./config-refs.js";
import { routeKindOf, routeRef, rulesOf } from "./route-kinds.js";
import { findPromoted, formatPromoted, promotedAnnotation, promotedRevisions, rememberPromoted } from "./promoted-revisions.js";

/** On a canaried stable Deployment: the revision (`templateRevision`) its pods run. */
export const revisionAnnotation = "slipway.dev/revision";
/** On every object Slipway makes for a canary: the stable Deployment's name. */
export const canaryOfLabel = "slipway.dev/canary-of";

export const canaryName = (workload: string): string => `${workload}-canary`;
/** A per-revision copy of a ConfigMap or Secret for the canary's pods. */
export const configCopyName = (name: string, revision: string): string => `${name}-canary-${revision.slice(0, 8)}`;
/** Where the canary's state is kept: a ConfigMap in the inventory namespace. */
export const canaryStateName = (environment: string, workload: string): string => `slipway-canary-${environment.toLowerCase()}-${workload}`;

/** A hash of the desired pod template (config hash included): what a canary tests. */
export function templateRevision(deployment: KubeObject): string {
  const template = isPlainObject(deployment.spec) ? deployment.spec.template : undefined;
  return createHash("sha256").update(canonicalJson(template ?? null)).digest("hex").slice(0, 12);
}

/** What Slipway knows of a canaried workload's current canary: the phase of its state, and the revision it tests. */
export interface CanaryStateSummary {
  revision: string;
  phase: string;
  /** `/canary retry`: a failed or aborted canary of this revision starts again. */
  retryRequested?: boolean;
}

export interface CanaryLive {
  stable?: KubeObject;
  /** The stable Service as it runs (used when Git does not hold it). */
  service?: KubeObject;
  /** The route as it runs: its rules are kept while a canary moves traffic. */
  route?: KubeObject;
  /** The ConfigMaps and Secrets the workload reads, as they run, by `Kind/name`. */
  configs: Map<string, KubeObject | undefined>;
  state?: CanaryStateSummary;
}

/**
 * - none: no canary this time (the workload is new, or runs this revision already); it is applied as written.
 * - start: a canary of `revision` starts (any earlier one is superseded).
 * - continue: the canary of `revision` goes on; its objects are sent again, unchanged.
 * - promote: the canary of `revision` is being promoted: the stable Deployment and its config take it.
 * - held: the canary of `revision` failed or was aborted: stable stays as it is until a new commit or `/canary retry`.
 * - revert: `revision` ran with all traffic recently (a revert), or is what the stable pods run while a canary of
 *   another revision does: the stable Deployment takes it at once, without a canary, and a running canary stops.
 */
export type CanaryDecisionKind = "none" | "start" | "continue" | "promote" | "held" | "revert";

export interface CanaryDecision {
  config: CanaryConfig;
  workload: string;
  kind: CanaryDecisionKind;
  /** The desired pod template's revision. */
  revision: string;
  /** The revision the stable pods run now (absent: new, or not recorded). */
  stableRevision?: string;
  /** Objects of the desired set sent with their live content, not Git's, by display name. */
  heldBack: string[];
  /** The canary's Deployment, Service and config copies (start and continue). */
  canaryObjects: KubeObject[];
  /** The stable Deployment as Git has it (stamped): what the canary runs and promotion applies. */
  desiredStable?: KubeObject;
  /** The route's rules as Git has them: the base the router splits. */
  routeBase?: unknown[];
  /** For people: why this decision. */
  reason: string;
  /** A revert: when the stable Deployment took this revision before (absent: it runs it now). */
  promotedAt?: string;
}

/** The hold-back of an environment's canaried workloads, with what it read from the cluster bound in (canary/prepare.ts). */
export type HoldBack = (bodies: Map<string, KubeObject>) => Promise<{ bodies: Map<string, KubeObject>; decisions: CanaryDecision[] }>;

const finalPhases = new Set(["succeeded", "failed", "aborted", "superseded"]);

/**
 * The desired bodies with canaried workloads held back, and what was decided for each. `live` is
 * keyed by the workload's name; a workload Git does not hold is left alone.
 */
export function holdBackForCanaries(params: {
  bodies: Map<string, KubeObject>;
  namespace: string;
  canaries: CanaryConfig[];
  live: Map<string, CanaryLive>;
  /** A canary asked to start again (`/canary retry`): workload names. */
  retry?: ReadonlySet<string>;
  /** Milliseconds since the epoch: when a revision the stable Deployment takes is recorded as promoted. */
  now: number;
}): { bodies: Map<string, KubeObject>; decisions: CanaryDecision[] } {
  const bodies = new Map(params.bodies);
  const decisions: CanaryDecision[] = [];
  for (const config of params.canaries) {
    const workload = canaryWorkloadName(config);
    const stableRef: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: params.namespace, name: workload };
    const desiredStable = bodies.get(identityKey(stableRef));
    if (!desiredStable) continue;
    const live: CanaryLive = params.live.get(workload) ?? { configs: new Map() };
    const decision = decide({ config, workload, desiredStable, live, retry: (params.retry?.has(workload) ?? false) || live.state?.retryRequested === true });
    decisions.push(decision);
    const routeKey = routeKeyOf(config, params.namespace);
    const route = bodies.get(routeKey);
    decision.routeBase = routeRulesOf(config, route ?? live.route);

    if (decision.kind === "none" || decision.kind === "promote" || decision.kind === "revert") {
      bodies.set(identityKey(stableRef), takingRevision(desiredStable, live.stable, decision.revision, params.now));
    } else {
      // start, continue, held: the stable Deployment keeps the template it runs, and the config it reads.
      bodies.set(identityKey(stableRef), holdBackTemplate(desiredStable, live.stable!));
      decision.heldBack.push(displayName(stableRef));
      for (const [kind, name] of referencedConfig(desiredStable)) {
        const key = identityKey({ apiVersion: "v1", kind, namespace: params.namespace, name });
        const body = bodies.get(key);
        const running = live.configs.get(`${kind}/${name}`);
        if (!body || !running) continue;
        bodies.set(key, holdBackData(body, running));
        decision.heldBack.push(displayName(refOf(body)));
      }
    }
    if (decision.kind === "start" || decision.kind === "continue") {
      const service = bodies.get(identityKey({ apiVersion: "v1", kind: "Service", namespace: params.namespace, name: config.service })) ?? live.service;
      decision.canaryObjects = canaryObjects({ desiredStable, service, revision: decision.revision, bodies: params.bodies });
    }
    // While a canary may hold traffic, the route keeps the weights the canary's router wrote.
    const routeHeld = decision.kind !== "none" || (live.state !== undefined && !finalPhases.has(live.state.phase));
    if (routeHeld && route && live.route) {
      bodies.set(routeKey, withRouteRules(config, route, routeRulesOf(config, live.route) ?? []));
      decision.heldBack.push(displayName(refOf(route)));
    }
  }
  return { bodies, decisions };
}

function decide(params: { config: CanaryConfig; workload: string; desiredStable: KubeObject; live: CanaryLive; retry: boolean }): CanaryDecision {
  const { config, workload, desiredStable, live } = params;
  const revision = templateRevision(desiredStable);
  const stableRevision = live.stable?.metadata.annotations?.[revisionAnnotation];
  const decision = (kind: CanaryDecisionKind, reason: string): CanaryDecision => ({
    config,
    workload,
    kind,
    revision,
    ...(stableRevision ? { stableRevision } : {}),
    heldBack: [],
    canaryObjects: [],
    desiredStable,
    reason,
  });
  if (!live.stable) return decision("none", "The Deployment is new: it starts with this revision, without a canary.");
  const state = live.state;
  if (stableRevision === revision) {
    // Git went back to what the stable pods run while a canary of another revision runs: that canary
    // must stop, or its promotion would wait for a revision Git no longer has.
    if (state && state.revision !== revision && !finalPhases.has(state.phase) && state.phase !== "rolling-back") {
      return decision("revert", `The stable Deployment runs this revision: the canary of revision ${state.revision} stops, and all traffic goes back to stable.`);
    }
    return decision("none", "The stable Deployment runs this revision already.");
  }
  if (state?.revision === revision) {
    switch (state.phase) {
      case "promoting":
      case "finalising":
      case "succeeded":
        return decision("promote", "The canary of this revision is being promoted: the stable Deployment takes it.");
      case "failed":
      case "aborted":
      case "superseded":
        if (params.retry) return decision("start", "The canary of this revision starts again, as asked (/canary retry).");
        return decision("held", `The canary of this revision ${state.phase === "failed" ? "failed" : "was stopped"}: the stable Deployment keeps its revision until a new commit changes it, or /canary retry.`);
      default:
        return decision("continue", "The canary of this revision goes on.");
    }
  }
  const promoted = findPromoted(promotedRevisions(live.stable), revision);
  if (promoted) return { ...decision("revert", `Revert to a revision promoted at ${promoted.at}: it is promoted at once, without a canary.`), promotedAt: promoted.at };
  return decision("start", stableRevision ? `The pod template changed (stable runs ${stableRevision}): the new revision starts as a canary.` : "The stable Deployment's revision is not recorded: the new revision starts as a canary.");
}

/** The stable Deployment as Git has it, with the pod template it runs and the revision it records. */
function holdBackTemplate(desired: KubeObject, live: KubeObject): KubeObject {
  const held = structuredClone(desired);
  const liveSpec = isPlainObject(live.spec) ? live.spec : {};
  (held.spec as Record<string, unknown>).template = structuredClone(liveSpec.template);
  const running = live.metadata.annotations?.[revisionAnnotation];
  const annotations = { ...held.metadata.annotations };
  if (running) annotations[revisionAnnotation] = running;
  else delete annotations[revisionAnnotation];
  const promoted = live.metadata.annotations?.[promotedAnnotation];
  if (promoted) annotations[promotedAnnotation] = promoted;
  else delete annotations[promotedAnnotation];
  held.metadata = { ...held.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete held.metadata.annotations;
  return held;
}

/** A ConfigMap or Secret as Git has it, with the content it has now. */
function holdBackData(desired: KubeObject, live: KubeObject): KubeObject {
  const held: KubeObject = { ...desired };
  delete held.data;
  delete held.binaryData;
  delete held.stringData;
  if (live.data !== undefined) held.data = structuredClone(live.data);
  if (live.binaryData !== undefined) held.binaryData = structuredClone(live.binaryData);
  return held;
}

function referencedConfig(workload: KubeObject): Array<[ConfigKind, string]> {
  const refs = configReferences(workload);
  return [...refs.configMaps.map((name) => ["ConfigMap", name] as [ConfigKind, string]), ...refs.secrets.map((name) => ["Secret", name] as [ConfigKind, string])];
}

/**
 * The canary's Deployment, Service and config copies. Its pods' values of the labels the stable
 * Deployment selects on and the Service selects by are suffixed with `-canary`, so neither the
 * stable Deployment nor the stable Service ever counts them; `spec.replicas` is left to the
 * controller, which scales the canary up at the start and to zero at the end.
 */
export function canaryObjects(params: { desiredStable: KubeObject; service?: KubeObject; revision: string; bodies: Map<string, KubeObject> }): KubeObject[] {
  const { desiredStable, revision } = params;
  const workload = desiredStable.metadata.name ?? "";
  const namespace = desiredStable.metadata.namespace;
  const spec = structuredClone(isPlainObject(desiredStable.spec) ? desiredStable.spec : {});
  const matchLabels = labelsAt(spec, ["selector", "matchLabels"]);
  const template = isPlainObject(spec.template) ? spec.template : {};
  const templateLabels = labelsAt(template, ["metadata", "labels"]);
  const serviceSelector = params.service ? labelsAt(params.service.spec, ["selector"]) : {};
  const suffixed = new Set([...Object.keys(matchLabels), ...Object.keys(serviceSelector).filter((key) => key in templateLabels)]);
  const rename = (labels: Record<string, string>) =>
    Object.fromEntries(Object.entries(labels).map(([key, value]) => [key, suffixed.has(key) ? canaryLabelValue(value) : value]));

  const copies: KubeObject[] = [];
  for (const [kind, name] of referencedConfig(desiredStable)) {
    const body = params.bodies.get(identityKey({ apiVersion: "v1", kind, namespace, name }));
    if (!body) continue;
    copies.push(canaryMetadata({ ...structuredClone(body), metadata: { ...structuredClone(body.metadata), name: configCopyName(name, revision) } }, workload));
  }
  const copied = new Set(copies.map((copy) => `${copy.kind}/${copy.metadata.name ?? ""}`));
  delete spec.replicas;
  spec.selector = { ...(isPlainObject(spec.selector) ? spec.selector : {}), matchLabels: rename(matchLabels) };
  const templateMetadata = isPlainObject(template.metadata) ? template.metadata : {};
  spec.template = { ...template, metadata: { ...templateMetadata, labels: rename(templateLabels) } };
  const deployment = renameConfigReferences(
    canaryMetadata({ apiVersion: desiredStable.apiVersion, kind: "Deployment", metadata: { ...structuredClone(desiredStable.metadata), name: canaryName(workload) }, spec }, workload),
    (kind, name) => (copied.has(`${kind}/${configCopyName(name, revision)}`) ? configCopyName(name, revision) : undefined),
  );
  deployment.metadata.annotations = { ...deployment.metadata.annotations, [revisionAnnotation]: revision };

  const objects: KubeObject[] = [...copies, deployment];
  if (params.service) {
    const serviceName = params.service.metadata.name ?? "";
    const ports = (Array.isArray((params.service.spec as Record<string, unknown> | undefined)?.ports) ? ((params.service.spec as Record<string, unknown>).ports as unknown[]) : []).map((port) => {
      if (!isPlainObject(port)) return port;
      const { nodePort: _nodePort, ...rest } = port;
      return rest;
    });
    objects.push(
      canaryMetadata(
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: canaryName(serviceName), ...(namespace ? { namespace } : {}), labels: { ...params.service.metadata.labels } },
          spec: { selector: rename(serviceSelector), ports },
        },
        workload,
      ),
    );
  }
  return objects;
}

/** The canary's value of a label: `web` → `web-canary`, within a label value's 63 characters. */
export function canaryLabelValue(value: string): string {
  return `${value.slice(0, 63 - "-canary".length)}-canary`;
}

function canaryMetadata(object: KubeObject, workload: string): KubeObject {
  const labels: Record<string, string> = { ...object.metadata.labels, [canaryOfLabel]: workload };
  // Not part of the environment's ApplySet: the controller, not the inventory, decides its life.
  delete labels[applySetPartOfLabel];
  const metadata: ObjectMeta = { ...object.metadata, labels };
  for (const field of ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"]) delete metadata[field];
  return { ...object, metadata };
}

function labelsAt(value: unknown, path: string[]): Record<string, string> {
  let current: unknown = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  if (!isPlainObject(current)) return {};
  return Object.fromEntries(Object.entries(current).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/**
 * The stable Deployment as Git has it, recording the revision it runs and the revisions it ran:
 * a revision it takes now joins the list at `now`; one it runs already leaves the list as it is
 * (every apply sends the list, or server-side apply would drop it).
 */
function takingRevision(desired: KubeObject, live: KubeObject | undefined, revision: string, now: number): KubeObject {
  const before = promotedRevisions(live);
  const runs = live?.metadata.annotations?.[revisionAnnotation] === revision;
  const promoted = runs ? before : rememberPromoted(before, revision, new Date(now).toISOString());
  const annotations: Record<string, string> = { ...desired.metadata.annotations, [revisionAnnotation]: revision };
  if (promoted.length > 0) annotations[promotedAnnotation] = formatPromoted(promoted);
  else delete annotations[promotedAnnotation];
  return { ...desired, metadata: { ...desired.metadata, annotations } };
}

const routeKeyOf = (config: CanaryConfig, namespace: string): string => identityKey(routeRef(config.router, namespace));

function routeRulesOf(config: CanaryConfig, route: KubeObject | undefined): unknown[] | undefined {
  const rules = route ? rulesOf(config.router, route) : undefined;
  return rules ? structuredClone(rules) : undefined;
}

function withRouteRules(config: CanaryConfig, route: KubeObject, rules: unknown[]): KubeObject {
  const spec = isPlainObject(route.spec) ? route.spec : {};
  return { ...route, spec: { ...spec, [routeKindOf(config.router).rulesField]: rules } };
}

/** JSON with object keys sorted: equal values, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
