import { describe, expect, it } from "vitest";
import { displayName, type ObjectRef } from "../../src/manifests/object.js";
import { APPLY_STAGES, CRD_STAGE, applyStage, applyStageName, isCustomResource, sortForApply, sortForPrune, type ApplyStage } from "../../src/apply/order.js";

function ref(apiVersion: string, kind: string, name = "x", namespace?: string): ObjectRef {
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
}

const names = (stages: ObjectRef[][]) => stages.map((stage) => stage.map(displayName));
const identity = (r: ObjectRef) => r;

describe("applyStageName", () => {
  it.each<[string, string, ApplyStage]>([
    ["apiextensions.k8s.io/v1", "CustomResourceDefinition", "custom-resource-definitions"],
    ["v1", "Namespace", "namespaces"],
    ["rbac.authorization.k8s.io/v1", "ClusterRole", "cluster-definitions"],
    ["storage.k8s.io/v1", "StorageClass", "cluster-definitions"],
    ["networking.k8s.io/v1", "IngressClass", "cluster-definitions"],
    ["scheduling.k8s.io/v1", "PriorityClass", "cluster-definitions"],
    ["node.k8s.io/v1", "RuntimeClass", "cluster-definitions"],
    ["resource.k8s.io/v1", "DeviceClass", "cluster-definitions"],
    ["storage.k8s.io/v1beta1", "VolumeAttributesClass", "cluster-definitions"],
    ["gateway.networking.k8s.io/v1", "GatewayClass", "cluster-definitions"],
    ["rbac.authorization.k8s.io/v1", "Role", "rbac"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding", "rbac"],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "rbac"],
    ["v1", "ServiceAccount", "service-accounts"],
    ["v1", "ConfigMap", "config-maps"],
    ["v1", "Secret", "secrets"],
    ["v1", "PersistentVolume", "storage"],
    ["v1", "PersistentVolumeClaim", "storage"],
    ["v1", "Service", "services"],
    ["apps/v1", "Deployment", "workloads"],
    ["apps/v1", "StatefulSet", "workloads"],
    ["apps/v1", "DaemonSet", "workloads"],
    ["apps/v1", "ReplicaSet", "workloads"],
    ["batch/v1", "Job", "workloads"],
    ["batch/v1", "CronJob", "workloads"],
    ["v1", "Pod", "workloads"],
    ["networking.k8s.io/v1", "Ingress", "everything-else"],
    ["policy/v1", "PodDisruptionBudget", "everything-else"],
    ["example.com/v1", "Widget", "everything-else"],
    // Same kind name in another group: not the built-in kind.
    ["example.com/v1", "Deployment", "everything-else"],
    ["example.com/v1", "Namespace", "everything-else"],
    // `*Class` only in `*.k8s.io` groups: x-k8s.io (Cluster API) and others are ordinary kinds.
    ["cluster.x-k8s.io/v1beta1", "ClusterClass", "everything-else"],
    ["example.com/v1", "WidgetClass", "everything-else"],
    ["admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "admission"],
    ["admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "admission"],
    ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "admission"],
    ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "admission"],
  ])("%s %s → %s", (apiVersion, kind, stage) => {
    expect(applyStageName({ apiVersion, kind })).toBe(stage);
    expect(applyStage({ apiVersion, kind })).toBe(APPLY_STAGES.indexOf(stage));
  });

  it("ignores the API version", () => {
    expect(applyStage({ apiVersion: "apps/v1beta2", kind: "Deployment" })).toBe(applyStage({ apiVersion: "apps/v1", kind: "Deployment" }));
  });

  it("orders the stages as the issue lists them", () => {
    const order = (apiVersion: string, kind: string) => applyStage({ apiVersion, kind });
    const sequence = [
      order("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
      order("v1", "Namespace"),
      order("rbac.authorization.k8s.io/v1", "ClusterRole"),
      order("rbac.authorization.k8s.io/v1", "RoleBinding"),
      order("v1", "ServiceAccount"),
      order("v1", "ConfigMap"),
      order("v1", "Secret"),
      order("v1", "PersistentVolumeClaim"),
      order("v1", "Service"),
      order("apps/v1", "Deployment"),
      order("example.com/v1", "Widget"),
      order("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ];
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(sequence.length);
    expect(order("storage.k8s.io/v1", "StorageClass")).toBeLessThan(order("v1", "PersistentVolumeClaim"));
  });

  it("names the CRD stage", () => {
    expect(CRD_STAGE).toBe(applyStage({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" }));
  });
});

describe("isCustomResource", () => {
  it.each([
    ["example.com/v1", "Widget", true],
    ["gateway.networking.k8s.io/v1", "GatewayClass", true],
    ["apiextensions.k8s.io/v1", "CustomResourceDefinition", false],
    ["v1", "ConfigMap", false],
    ["apps/v1", "Deployment", false],
    ["storage.k8s.io/v1", "StorageClass", false],
  ])("%s %s → %s", (apiVersion, kind, expected) => {
    expect(isCustomResource({ apiVersion, kind })).toBe(expected);
  });
});

describe("sortForApply", () => {
  const input = [
    ref("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "guard"),
    ref("apps/v1", "Deployment", "web", "apps"),
    ref("example.com/v1", "Widget", "w", "apps"),
    ref("v1", "ConfigMap", "b", "apps"),
    ref("v1", "ConfigMap", "a", "apps"),
    ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
    ref("v1", "Namespace", "apps"),
  ];

  it("returns one list per stage, in stage order, sorted by display name within a stage", () => {
    const stages = sortForApply(input, identity);
    expect(stages).toHaveLength(APPLY_STAGES.length);
    expect(names(stages).filter((stage) => stage.length > 0)).toEqual([
      ["CustomResourceDefinition/widgets.example.com"],
      ["Namespace/apps"],
      ["ConfigMap/apps/a", "ConfigMap/apps/b"],
      ["Deployment/apps/web"],
      ["Widget/apps/w"],
      ["ValidatingWebhookConfiguration/guard"],
    ]);
    expect(names(stages)[CRD_STAGE]).toEqual(["CustomResourceDefinition/widgets.example.com"]);
  });

  it("keeps the input order of objects with the same display name", () => {
    const first = { id: 1, ref: ref("v1", "ConfigMap", "same", "apps") };
    const second = { id: 2, ref: ref("v1", "ConfigMap", "same", "apps") };
    expect(sortForApply([second, first], (item) => item.ref).flat().map((item) => item.id)).toEqual([2, 1]);
  });

  it("does not modify its input", () => {
    const copy = [...input];
    sortForApply(input, identity);
    expect(input).toEqual(copy);
  });
});

describe("sortForPrune", () => {
  it("prunes custom resources first, then the apply stages reversed, CRDs last", () => {
    const stages = sortForPrune(
      [
        ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
        ref("v1", "Namespace", "apps"),
        ref("apps/v1", "Deployment", "operator", "apps"),
        ref("example.com/v1", "Widget", "w", "apps"),
        ref("gateway.networking.k8s.io/v1", "GatewayClass", "gw"),
        ref("v1", "ConfigMap", "a", "apps"),
        ref("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "hook"),
      ],
      identity,
    );
    expect(stages).toHaveLength(APPLY_STAGES.length + 1);
    expect(names(stages).filter((stage) => stage.length > 0)).toEqual([
      ["GatewayClass/gw", "Widget/apps/w"],
      ["MutatingWebhookConfiguration/hook"],
      ["Deployment/apps/operator"],
      ["ConfigMap/apps/a"],
      ["Namespace/apps"],
      ["CustomResourceDefinition/widgets.example.com"],
    ]);
    expect(stages.at(-1)?.map(displayName)).toEqual(["CustomResourceDefinition/widgets.example.com"]);
  });
});
