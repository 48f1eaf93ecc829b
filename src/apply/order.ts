// The order Slipway applies objects in, and the reverse it prunes them in. Each object goes
// after what it depends on, so the API server never refuses it for a missing Namespace or kind,
// and admission webhooks go last so a new webhook cannot block the rollout of its own backend.
// The order follows Helm's InstallOrder and Flux's ssa staged apply (CRDs and Namespaces first,
// webhooks last): https://github.com/helm/helm/blob/main/pkg/release/util/kind_sorter.go
import { builtinIsNamespaced } from "../manifests/builtin-scopes.js";
import { displayName, groupOf, type ObjectRef } from "../manifests/object.js";
import { compareStrings } from "../manifests/fields.js";

type KindRef = Pick<ObjectRef, "apiVersion" | "kind">;

/**
 * The apply stages, in order; a stage's number is its index here.
 * - custom-resource-definitions: the caller waits until each is Established before going on,
 *   because the API server serves a new kind only from then on.
 * - cluster-definitions: ClusterRoles, and every `*Class` kind of a `*.k8s.io` group
 *   (StorageClass, IngressClass, PriorityClass, RuntimeClass, DeviceClass, GatewayClass, ...),
 *   which objects in later stages name. StorageClass is here, so it also precedes `storage`.
 * - rbac: Roles, RoleBindings, ClusterRoleBindings.
 * - storage: PersistentVolumes and PersistentVolumeClaims.
 * - workloads: Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers,
 *   Jobs, CronJobs, Pods.
 * - everything-else: any kind not named here, custom resources included.
 * - admission: webhook configurations and admission policies (and their bindings).
 */
export const APPLY_STAGES = [
  "custom-resource-definitions",
  "namespaces",
  "cluster-definitions",
  "rbac",
  "service-accounts",
  "config-maps",
  "secrets",
  "storage",
  "services",
  "workloads",
  "everything-else",
  "admission",
] as const;

export type ApplyStage = (typeof APPLY_STAGES)[number];

/** The stage whose objects (CRDs) must be Established before the next stage is applied. */
export const CRD_STAGE: number = APPLY_STAGES.indexOf("custom-resource-definitions");

/** `group/Kind` of the kinds with a stage of their own; the API version does not matter. */
const stageByKind = new Map<string, ApplyStage>([
  ["apiextensions.k8s.io/CustomResourceDefinition", "custom-resource-definitions"],
  ["/Namespace", "namespaces"],
  ["rbac.authorization.k8s.io/ClusterRole", "cluster-definitions"],
  ["rbac.authorization.k8s.io/Role", "rbac"],
  ["rbac.authorization.k8s.io/RoleBinding", "rbac"],
  ["rbac.authorization.k8s.io/ClusterRoleBinding", "rbac"],
  ["/ServiceAccount", "service-accounts"],
  ["/ConfigMap", "config-maps"],
  ["/Secret", "secrets"],
  ["/PersistentVolume", "storage"],
  ["/PersistentVolumeClaim", "storage"],
  ["/Service", "services"],
  ["apps/Deployment", "workloads"],
  ["apps/StatefulSet", "workloads"],
  ["apps/DaemonSet", "workloads"],
  ["apps/ReplicaSet", "workloads"],
  ["/ReplicationController", "workloads"],
  ["batch/Job", "workloads"],
  ["batch/CronJob", "workloads"],
  ["/Pod", "workloads"],
  ["admissionregistration.k8s.io/MutatingWebhookConfiguration", "admission"],
  ["admissionregistration.k8s.io/ValidatingWebhookConfiguration", "admission"],
  ["admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admission"],
  ["admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding", "admission"],
  ["admissionregistration.k8s.io/MutatingAdmissionPolicy", "admission"],
  ["admissionregistration.k8s.io/MutatingAdmissionPolicyBinding", "admission"],
]);

export function applyStageName(ref: KindRef): ApplyStage {
  const group = groupOf(ref.apiVersion);
  const named = stageByKind.get(`${group}/${ref.kind}`);
  if (named) return named;
  if (group.endsWith(".k8s.io") && ref.kind.endsWith("Class")) return "cluster-definitions";
  return "everything-else";
}

/** The stage number of a kind: its index in APPLY_STAGES. */
export function applyStage(ref: KindRef): number {
  return APPLY_STAGES.indexOf(applyStageName(ref));
}

/**
 * One list per stage, APPLY_STAGES.length of them, empty ones included so that
 * `stages[CRD_STAGE]` is always the CRDs. Within a stage: by display name, ties in input order.
 */
export function sortForApply<T>(items: readonly T[], refOf: (item: T) => ObjectRef): T[][] {
  const sorted = sortByName(items, refOf);
  return APPLY_STAGES.map((_, stage) => sorted.filter((item) => applyStage(refOf(item)) === stage));
}

/**
 * The prune stages: custom resources first, then the apply stages reversed, so CRDs go last.
 * Custom resources go before everything else, not just before their CRDs, because their
 * finalizers need their controllers, which may be workloads pruned in the same run. Deleting a
 * CRD first would delete its resources without their finalizers running as designed.
 * Returns APPLY_STAGES.length + 1 lists, empty ones included.
 */
export function sortForPrune<T>(items: readonly T[], refOf: (item: T) => ObjectRef): T[][] {
  const custom = items.filter((item) => isCustomResource(refOf(item)));
  const builtin = items.filter((item) => !isCustomResource(refOf(item)));
  return [sortByName(custom, refOf), ...sortForApply(builtin, refOf).reverse()];
}

/** A kind outside Kubernetes' built-in API groups, so served through a CRD (or an aggregated API). */
export function isCustomResource(ref: KindRef): boolean {
  // builtinIsNamespaced knows every built-in group, and answers undefined for all other groups.
  return builtinIsNamespaced(ref) === undefined;
}

function sortByName<T>(items: readonly T[], refOf: (item: T) => ObjectRef): T[] {
  // Array.prototype.sort is stable, so objects with the same display name keep their input order.
  return items
    .map((item) => ({ item, name: displayName(refOf(item)) }))
    .sort((a, b) => compareStrings(a.name, b.name))
    .map(({ item }) => item);
}
