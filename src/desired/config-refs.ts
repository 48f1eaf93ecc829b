// The ConfigMaps and Secrets a workload's pod template reads, by name (they live in the
// workload's namespace). Kubernetes does not restart pods when these change; Slipway hashes
// them into the pod template so that a change rolls the workload out (see config-hash.ts).
// Fields: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
import { groupOf, type KubeObject, type ObjectRef } from "../manifests/object.js";
import { compareStrings, fieldAt, objectsAt, stringAt } from "../manifests/fields.js";

export type ConfigKind = "ConfigMap" | "Secret";

export interface ConfigRefs {
  configMaps: string[];
  secrets: string[];
}

type Path = readonly string[];

/** Where a pod template names a ConfigMap or Secret, relative to the entry of its list. */
const volumeFields: Array<[ConfigKind, Path]> = [
  ["ConfigMap", ["configMap", "name"]],
  ["Secret", ["secret", "secretName"]],
];
const projectionFields: Array<[ConfigKind, Path]> = [
  ["ConfigMap", ["configMap", "name"]],
  ["Secret", ["secret", "name"]],
];
const envFields: Array<[ConfigKind, Path]> = [
  ["ConfigMap", ["valueFrom", "configMapKeyRef", "name"]],
  ["Secret", ["valueFrom", "secretKeyRef", "name"]],
];
const envFromFields: Array<[ConfigKind, Path]> = [
  ["ConfigMap", ["configMapRef", "name"]],
  ["Secret", ["secretRef", "name"]],
];

const containerLists = ["containers", "initContainers", "ephemeralContainers"];

const hashedKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/**
 * The kinds Slipway writes a config hash into: those whose controller rolls out a change of
 * the pod template. (A Job's template is immutable; a CronJob picks up config at its next run.)
 */
export function hasConfigHash(ref: Pick<ObjectRef, "apiVersion" | "kind">): boolean {
  return groupOf(ref.apiVersion) === "apps" && hashedKinds.has(ref.kind);
}

/**
 * Names referenced by `spec.template.spec`, deduplicated and sorted; empty for other kinds.
 * References marked `optional: true` count too: the hash then records the object's absence,
 * so creating it later rolls the workload out.
 */
export function configReferences(workload: KubeObject): ConfigRefs {
  const found: Record<ConfigKind, Set<string>> = { ConfigMap: new Set(), Secret: new Set() };
  if (!hasConfigHash(workload)) return { configMaps: [], secrets: [] };
  forEachReference(workload, (kind, name) => found[kind].add(name));
  return { configMaps: [...found.ConfigMap].sort(compareStrings), secrets: [...found.Secret].sort(compareStrings) };
}

/**
 * A copy of the workload whose pod template names, for each reference `rename` answers, that
 * name instead (the canary's pods read per-revision copies of the config); the rest as it was.
 */
export function renameConfigReferences(workload: KubeObject, rename: (kind: ConfigKind, name: string) => string | undefined): KubeObject {
  const copy = structuredClone(workload);
  forEachReference(copy, (kind, name, set) => {
    const renamed = rename(kind, name);
    if (renamed !== undefined) set(renamed);
  });
  return copy;
}

/** Calls `visit` for every config name the pod template holds, with a setter for that field. */
function forEachReference(workload: KubeObject, visit: (kind: ConfigKind, name: string, set: (name: string) => void) => void): void {
  const pod = fieldAt(workload, ["spec", "template", "spec"]);
  const walk = (entries: Array<Record<string, unknown>>, fields: Array<[ConfigKind, Path]>) => {
    for (const entry of entries) {
      for (const [kind, path] of fields) {
        const name = stringAt(entry, path);
        if (!name) continue;
        const holder = fieldAt(entry, path.slice(0, -1)) as Record<string, unknown>;
        visit(kind, name, (renamed) => (holder[path.at(-1)!] = renamed));
      }
    }
  };
  const volumes = objectsAt(pod, ["volumes"]);
  walk(volumes, volumeFields);
  walk(volumes.flatMap((volume) => objectsAt(volume, ["projected", "sources"])), projectionFields);
  const containers = containerLists.flatMap((list) => objectsAt(pod, [list]));
  walk(containers.flatMap((container) => objectsAt(container, ["env"])), envFields);
  walk(containers.flatMap((container) => objectsAt(container, ["envFrom"])), envFromFields);
}
