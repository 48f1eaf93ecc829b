// Whether an applied object is ready for what comes after it: a CRD is served, a Namespace
// accepts objects, a workload has rolled out. The checks follow `kubectl rollout status`
// (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go) and the CRD and Namespace
// conditions the API server sets. Pure: the caller polls and passes the live object.
import { groupOf, type KubeObject, type ObjectRef } from "../manifests/object.js";
import { numberAt, objectsAt, stringAt } from "../manifests/fields.js";

export interface Readiness {
  ready: boolean;
  /** True when waiting longer will not help (a Deployment past its progress deadline, CRD names refused). */
  failed: boolean;
  /** A short sentence: "2 of 3 replicas updated". */
  reason: string;
}

type WaitedKind = "deployment" | "statefulset" | "daemonset" | "crd" | "namespace";

function waitedKind(ref: Pick<ObjectRef, "apiVersion" | "kind">): WaitedKind | undefined {
  switch (`${groupOf(ref.apiVersion)}/${ref.kind}`) {
    case "apps/Deployment":
      return "deployment";
    case "apps/StatefulSet":
      return "statefulset";
    case "apps/DaemonSet":
      return "daemonset";
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return "crd";
    case "/Namespace":
      return "namespace";
    default:
      return undefined;
  }
}

/** Whether the apply waits for this kind; every other kind is ready once the API server accepts it. */
export function needsReadinessWait(ref: Pick<ObjectRef, "apiVersion" | "kind">): boolean {
  return waitedKind(ref) !== undefined;
}

export function readiness(object: KubeObject): Readiness {
  const kind = waitedKind(object);
  switch (kind) {
    case "deployment":
      return deploymentReadiness(object);
    case "statefulset":
      return statefulSetReadiness(object);
    case "daemonset":
      return daemonSetReadiness(object);
    case "crd":
      return crdReadiness(object);
    case "namespace":
      return namespaceReadiness(object);
    case undefined:
      return ready("ready once applied");
  }
}

const ready = (reason: string): Readiness => ({ ready: true, failed: false, reason });
const waiting = (reason: string): Readiness => ({ ready: false, failed: false, reason });
const failed = (reason: string): Readiness => ({ ready: false, failed: true, reason });

/** Until the controller has seen the latest spec, its status describes an older one. */
function staleStatus(object: KubeObject): Readiness | undefined {
  const generation = numberAt(object, ["metadata", "generation"]);
  const observed = numberAt(object, ["status", "observedGeneration"]) ?? 0;
  if (generation === undefined || observed >= generation) return undefined;
  return waiting(`controller has not yet observed generation ${generation}`);
}

function deploymentReadiness(object: KubeObject): Readiness {
  const stale = staleStatus(object);
  if (stale) return stale;
  const progressing = condition(object, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return failed("rollout exceeded its progress deadline");
  const desired = numberAt(object, ["spec", "replicas"]) ?? 1;
  const total = numberAt(object, ["status", "replicas"]) ?? 0;
  const updated = numberAt(object, ["status", "updatedReplicas"]) ?? 0;
  const available = numberAt(object, ["status", "availableReplicas"]) ?? 0;
  if (updated < desired) return waiting(`${updated} of ${desired} replicas updated`);
  if (total > updated) return waiting(`${total - updated} old replicas pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas available`);
  return ready(`${desired} of ${desired} replicas updated and available`);
}

function statefulSetReadiness(object: KubeObject): Readiness {
  const stale = staleStatus(object);
  if (stale) return stale;
  const desired = numberAt(object, ["spec", "replicas"]) ?? 1;
  const readyReplicas = numberAt(object, ["status", "readyReplicas"]) ?? 0;
  if (readyReplicas < desired) return waiting(`${readyReplicas} of ${desired} replicas ready`);
  // With OnDelete, pods change only when someone deletes them: there is no rollout to wait for.
  if (stringAt(object, ["spec", "updateStrategy", "type"]) === "OnDelete") return ready(`${desired} of ${desired} replicas ready`);
  const updated = numberAt(object, ["status", "updatedReplicas"]) ?? 0;
  const partition = numberAt(object, ["spec", "updateStrategy", "rollingUpdate", "partition"]) ?? 0;
  if (partition > 0) {
    // Pods below the partition keep the old revision on purpose, so the revisions never match.
    const expected = Math.max(desired - partition, 0);
    return updated < expected ? waiting(`${updated} of ${expected} replicas above the partition updated`) : ready(`${expected} replicas above the partition updated`);
  }
  if (updated < desired) return waiting(`${updated} of ${desired} replicas updated`);
  if (stringAt(object, ["status", "currentRevision"]) !== stringAt(object, ["status", "updateRevision"])) {
    return waiting("rolling update still in progress");
  }
  return ready(`${desired} of ${desired} replicas updated and ready`);
}

function daemonSetReadiness(object: KubeObject): Readiness {
  const stale = staleStatus(object);
  if (stale) return stale;
  const desired = numberAt(object, ["status", "desiredNumberScheduled"]) ?? 0;
  const updated = numberAt(object, ["status", "updatedNumberScheduled"]) ?? 0;
  const available = numberAt(object, ["status", "numberAvailable"]) ?? 0;
  // With OnDelete, pods change only when someone deletes them: only availability counts.
  const onDelete = stringAt(object, ["spec", "updateStrategy", "type"]) === "OnDelete";
  if (!onDelete && updated < desired) return waiting(`${updated} of ${desired} pods updated`);
  if (available < desired) return waiting(`${available} of ${desired} pods available`);
  return ready(`${desired} of ${desired} pods ${onDelete ? "available" : "updated and available"}`);
}

function crdReadiness(object: KubeObject): Readiness {
  const namesAccepted = condition(object, "NamesAccepted");
  if (namesAccepted?.status === "False") {
    return failed(`names not accepted: ${namesAccepted.message ?? namesAccepted.reason ?? "no reason given"}`);
  }
  return condition(object, "Established")?.status === "True" ? ready("established") : waiting("not established yet");
}

function namespaceReadiness(object: KubeObject): Readiness {
  const phase = stringAt(object, ["status", "phase"]);
  if (phase === "Active") return ready("active");
  return waiting(phase === "Terminating" ? "namespace is terminating" : "namespace is not active yet");
}

interface Condition {
  status?: string;
  reason?: string;
  message?: string;
}

function condition(object: KubeObject, type: string): Condition | undefined {
  const found = objectsAt(object, ["status", "conditions"]).find((entry) => entry.type === type);
  if (found === undefined) return undefined;
  return { status: stringAt(found, ["status"]), reason: stringAt(found, ["reason"]), message: stringAt(found, ["message"]) };
}
