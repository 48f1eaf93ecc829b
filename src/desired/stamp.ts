// The body Slipway sends for an object: the manifest plus what marks it as Slipway's, and for
// workloads the hash of the configuration they read. The plan dry-runs exactly this body, so
// what the plan shows is what the apply will do.
import { displayName, isPlainObject, refOf, type KubeObject } from "../manifests/object.js";
import { configHash } from "./config-hash.js";
import { configReferences, type ConfigKind, type ConfigRefs } from "./config-refs.js";
import { compareStrings } from "../manifests/fields.js";

/** Label on every object Slipway applies; its value is the environment. Pruning requires it. */
export const environmentLabel = "slipway.dev/environment";

/**
 * Pod template annotation holding the config hash. The same key with the value
 * `configHashDisabled` on a workload's own metadata opts the workload out.
 */
export const configHashAnnotation = "slipway.dev/config-hash";
export const configHashDisabled = "disabled";

/** ApplySet membership label (KEP-3659): its value is the id of the environment's inventory. */
export const applySetPartOfLabel = "applyset.kubernetes.io/part-of";

export function stampObject(object: KubeObject, params: { environment: string; applySet?: string }): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata.labels,
        [environmentLabel]: params.environment,
        ...(params.applySet ? { [applySetPartOfLabel]: params.applySet } : {}),
      },
    },
  };
}

/** Reads a ConfigMap or Secret the manifests do not contain from the cluster (the caller prefetches). */
export type LiveConfigLookup = (kind: ConfigKind, namespace: string, name: string) => KubeObject | undefined;

export interface StampWorkloadsParams {
  objects: KubeObject[];
  environment: string;
  /** The environment's ApplySet id, for the membership label. */
  applySet?: string;
  /** Absent: objects outside `objects` hash as absent (offline plans). */
  lookupLive?: LiveConfigLookup;
  /** The server's key for config hashes. */
  configHashKey: string;
}

export interface StampedObjects {
  /** Every object stamped, in input order. */
  objects: KubeObject[];
  /** Workload display name → display names of the ConfigMaps and Secrets its hash covers. */
  rollouts: Map<string, string[]>;
}

/**
 * Stamps every object, and writes the config hash into every Deployment, StatefulSet and
 * DaemonSet that reads a ConfigMap or Secret and has not opted out. Workloads reading none get
 * no hash, so adopting a workload without config does not roll it out.
 */
export function stampWorkloads(params: StampWorkloadsParams): StampedObjects {
  const desired = new Map(params.objects.filter(isConfigObject).map((object) => [keyOf(object), object]));
  const rollouts = new Map<string, string[]>();
  const objects = params.objects.map((object) => {
    const stamped = stampObject(object, params);
    const refs = hashedConfig(object);
    if (refs === undefined) return stamped;
    const namespace = object.metadata.namespace ?? "";
    const lookup = (kind: ConfigKind, name: string) =>
      desired.get(configKey({ kind, namespace, name })) ?? params.lookupLive?.(kind, namespace, name);
    rollouts.set(displayName(refOf(object)), configRefsIn(refs, namespace).map(configDisplayName));
    return withTemplateAnnotation(stamped, configHash({ refs, lookup, key: params.configHashKey }));
  });
  return { objects, rollouts };
}

export interface ConfigRef {
  kind: ConfigKind;
  namespace: string;
  name: string;
}

/**
 * The ConfigMaps and Secrets the workloads' hashes cover that `objects` does not contain: what
 * the caller reads from the cluster to answer `lookupLive`. Sorted, without duplicates.
 */
export function configOutsideSet(objects: KubeObject[]): ConfigRef[] {
  const inSet = new Set(objects.filter(isConfigObject).map(keyOf));
  const outside = new Map<string, ConfigRef>();
  for (const object of objects) {
    const refs = hashedConfig(object);
    if (refs === undefined) continue;
    for (const ref of configRefsIn(refs, object.metadata.namespace ?? "")) {
      if (!inSet.has(configKey(ref))) outside.set(configKey(ref), ref);
    }
  }
  return [...outside.values()].sort((a, b) => compareStrings(configKey(a), configKey(b)));
}

/** What the workload's hash covers; undefined when it gets no hash (opted out, reads no config). */
function hashedConfig(object: KubeObject): ConfigRefs | undefined {
  if (object.metadata.annotations?.[configHashAnnotation] === configHashDisabled) return undefined;
  const refs = configReferences(object);
  return refs.configMaps.length + refs.secrets.length === 0 ? undefined : refs;
}

function isConfigObject(object: KubeObject): object is KubeObject & { kind: ConfigKind } {
  return object.apiVersion === "v1" && (object.kind === "ConfigMap" || object.kind === "Secret");
}

function keyOf(object: KubeObject & { kind: ConfigKind }): string {
  return configKey({ kind: object.kind, namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "" });
}

function configKey(ref: ConfigRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

function configRefsIn(refs: ConfigRefs, namespace: string): ConfigRef[] {
  return [
    ...refs.configMaps.map((name) => ({ kind: "ConfigMap" as const, namespace, name })),
    ...refs.secrets.map((name) => ({ kind: "Secret" as const, namespace, name })),
  ];
}

function configDisplayName(ref: ConfigRef): string {
  return displayName({ apiVersion: "v1", ...ref });
}

/** A copy without the config hash in its pod template, for comparing a workload's other fields. */
export function withoutConfigHash(workload: KubeObject): KubeObject {
  const spec = isPlainObject(workload.spec) ? workload.spec : undefined;
  const template = spec && isPlainObject(spec.template) ? spec.template : undefined;
  const metadata = template && isPlainObject(template.metadata) ? template.metadata : undefined;
  const annotations = metadata && isPlainObject(metadata.annotations) ? metadata.annotations : undefined;
  if (!spec || !template || !metadata || !annotations || !(configHashAnnotation in annotations)) return workload;
  const { [configHashAnnotation]: _hash, ...rest } = annotations;
  return { ...workload, spec: { ...spec, template: { ...template, metadata: { ...metadata, annotations: rest } } } };
}

/** A copy with the annotation set; the input's nested objects are not modified. */
function withTemplateAnnotation(workload: KubeObject, hash: string): KubeObject {
  const spec = isPlainObject(workload.spec) ? workload.spec : {};
  const template = isPlainObject(spec.template) ? spec.template : {};
  const metadata = isPlainObject(template.metadata) ? template.metadata : {};
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
  return {
    ...workload,
    spec: { ...spec, template: { ...template, metadata: { ...metadata, annotations: { ...annotations, [configHashAnnotation]: hash } } } },
  };
}
