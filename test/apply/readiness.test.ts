import { describe, expect, it } from "vitest";
import { needsReadinessWait, readiness, type Readiness } from "../../src/apply/readiness.js";
import type { KubeObject } from "../../src/manifests/object.js";

function object(apiVersion: string, kind: string, fields: { generation?: number; spec?: unknown; status?: unknown }): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name: "x", ...(fields.generation === undefined ? {} : { generation: fields.generation }) },
    ...(fields.spec === undefined ? {} : { spec: fields.spec }),
    ...(fields.status === undefined ? {} : { status: fields.status }),
  };
}

const deployment = (status: Record<string, unknown>, spec: Record<string, unknown> = { replicas: 3 }) =>
  object("apps/v1", "Deployment", { generation: 2, spec, status: { observedGeneration: 2, ...status } });
const statefulSet = (status: Record<string, unknown>, spec: Record<string, unknown> = { replicas: 3 }) =>
  object("apps/v1", "StatefulSet", { generation: 2, spec, status: { observedGeneration: 2, currentRevision: "r2", updateRevision: "r2", ...status } });
const daemonSet = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  object("apps/v1", "DaemonSet", { generation: 2, spec, status: { observedGeneration: 2, desiredNumberScheduled: 3, ...status } });
const crd = (conditions: unknown[]) => object("apiextensions.k8s.io/v1", "CustomResourceDefinition", { status: { conditions } });

const isReady = (reason: string): Readiness => ({ ready: true, failed: false, reason });
const isWaiting = (reason: string): Readiness => ({ ready: false, failed: false, reason });
const isFailed = (reason: string): Readiness => ({ ready: false, failed: true, reason });

describe("readiness", () => {
  it.each<{ case: string; object: KubeObject; expected: Readiness }>([
    { case: "Deployment rolled out", object: deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), expected: isReady("3 of 3 replicas updated and available") },
    { case: "Deployment not observed yet", object: deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), expected: isWaiting("controller has not yet observed generation 2") },
    { case: "Deployment updating", object: deployment({ replicas: 4, updatedReplicas: 2, availableReplicas: 3 }), expected: isWaiting("2 of 3 replicas updated") },
    { case: "Deployment with old replicas left", object: deployment({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), expected: isWaiting("1 old replicas pending termination") },
    { case: "Deployment not yet available", object: deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 1 }), expected: isWaiting("1 of 3 updated replicas available") },
    { case: "Deployment with default replicas", object: deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }, {}), expected: isReady("1 of 1 replicas updated and available") },
    { case: "Deployment scaled to zero", object: deployment({}, { replicas: 0 }), expected: isReady("0 of 0 replicas updated and available") },
    {
      case: "Deployment past its progress deadline",
      object: deployment({ replicas: 3, updatedReplicas: 1, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] }),
      expected: isFailed("rollout exceeded its progress deadline"),
    },
    {
      // The condition belongs to the previous generation's rollout, not this one.
      case: "Deployment past its deadline but not observed yet",
      object: deployment({ observedGeneration: 1, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] }),
      expected: isWaiting("controller has not yet observed generation 2"),
    },
    { case: "StatefulSet rolled out", object: statefulSet({ readyReplicas: 3, updatedReplicas: 3 }), expected: isReady("3 of 3 replicas updated and ready") },
    { case: "StatefulSet not ready", object: statefulSet({ readyReplicas: 2, updatedReplicas: 3 }), expected: isWaiting("2 of 3 replicas ready") },
    { case: "StatefulSet updating", object: statefulSet({ readyReplicas: 3, updatedReplicas: 1 }), expected: isWaiting("1 of 3 replicas updated") },
    { case: "StatefulSet revisions differ", object: statefulSet({ readyReplicas: 3, updatedReplicas: 3, currentRevision: "r1" }), expected: isWaiting("rolling update still in progress") },
    { case: "StatefulSet not observed yet", object: statefulSet({ observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3 }), expected: isWaiting("controller has not yet observed generation 2") },
    {
      case: "StatefulSet with OnDelete",
      object: statefulSet({ readyReplicas: 3, updatedReplicas: 0, currentRevision: "r1" }, { replicas: 3, updateStrategy: { type: "OnDelete" } }),
      expected: isReady("3 of 3 replicas ready"),
    },
    {
      case: "StatefulSet with a partition, updated above it",
      object: statefulSet({ readyReplicas: 3, updatedReplicas: 1, currentRevision: "r1" }, { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }),
      expected: isReady("1 replicas above the partition updated"),
    },
    {
      case: "StatefulSet with a partition, updating",
      object: statefulSet({ readyReplicas: 3, updatedReplicas: 0, currentRevision: "r1" }, { replicas: 3, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }),
      expected: isWaiting("0 of 2 replicas above the partition updated"),
    },
    { case: "DaemonSet rolled out", object: daemonSet({ updatedNumberScheduled: 3, numberAvailable: 3 }), expected: isReady("3 of 3 pods updated and available") },
    { case: "DaemonSet updating", object: daemonSet({ updatedNumberScheduled: 2, numberAvailable: 3 }), expected: isWaiting("2 of 3 pods updated") },
    { case: "DaemonSet not available", object: daemonSet({ updatedNumberScheduled: 3, numberAvailable: 1 }), expected: isWaiting("1 of 3 pods available") },
    { case: "DaemonSet not observed yet", object: daemonSet({ observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3 }), expected: isWaiting("controller has not yet observed generation 2") },
    { case: "DaemonSet with OnDelete", object: daemonSet({ updatedNumberScheduled: 0, numberAvailable: 3 }, { updateStrategy: { type: "OnDelete" } }), expected: isReady("3 of 3 pods available") },
    { case: "CRD established", object: crd([{ type: "NamesAccepted", status: "True" }, { type: "Established", status: "True" }]), expected: isReady("established") },
    { case: "CRD not established", object: crd([{ type: "Established", status: "False" }]), expected: isWaiting("not established yet") },
    { case: "CRD without status", object: object("apiextensions.k8s.io/v1", "CustomResourceDefinition", {}), expected: isWaiting("not established yet") },
    {
      case: "CRD whose names clash",
      object: crd([{ type: "NamesAccepted", status: "False", reason: "ListKindConflict", message: '"WidgetList" is already in use' }]),
      expected: isFailed('names not accepted: "WidgetList" is already in use'),
    },
    { case: "Namespace active", object: object("v1", "Namespace", { status: { phase: "Active" } }), expected: isReady("active") },
    { case: "Namespace terminating", object: object("v1", "Namespace", { status: { phase: "Terminating" } }), expected: isWaiting("namespace is terminating") },
    { case: "Namespace without status", object: object("v1", "Namespace", {}), expected: isWaiting("namespace is not active yet") },
    { case: "ConfigMap", object: object("v1", "ConfigMap", {}), expected: isReady("ready once applied") },
    { case: "a look-alike Deployment of another group", object: object("example.com/v1", "Deployment", { status: {} }), expected: isReady("ready once applied") },
  ])("$case", ({ object: input, expected }) => {
    expect(readiness(input)).toEqual(expected);
  });
});

describe("needsReadinessWait", () => {
  it.each([
    ["apps/v1", "Deployment", true],
    ["apps/v1", "StatefulSet", true],
    ["apps/v1", "DaemonSet", true],
    ["apiextensions.k8s.io/v1", "CustomResourceDefinition", true],
    ["v1", "Namespace", true],
    ["v1", "Service", false],
    ["batch/v1", "Job", false],
    ["example.com/v1", "Deployment", false],
  ])("%s %s → %s", (apiVersion, kind, expected) => {
    expect(needsReadinessWait({ apiVersion, kind })).toBe(expected);
  });
});
