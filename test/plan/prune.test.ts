import { describe, expect, it } from "vitest";
import { identityKey } from "../../src/manifests/object.js";
import type { KubeObject, ObjectRef } from "../../src/manifests/object.js";
import { previewPrune } from "../../src/plan/prune.js";

const ownerLabel = { key: "slipway.dev/environment", value: "prod" };
const partOf = { key: "applyset.kubernetes.io/part-of", value: "applyset-ours-v1" };
const ownerLabels = { [ownerLabel.key]: ownerLabel.value, [partOf.key]: partOf.value };
const fieldManager = "slipway";

function ref(name: string, kind = "ConfigMap", apiVersion = "v1"): ObjectRef {
  return { apiVersion, kind, namespace: "apps", name };
}

function liveObject(name: string, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "apps",
      labels: { ...ownerLabels },
      managedFields: [{ manager: fieldManager, operation: "Apply" }],
      ...metadata,
    },
  };
}

const kept = ref("kept");

function preview(inventory: ObjectRef[], live: Array<[ObjectRef, KubeObject | undefined]>, desired: ObjectRef[] = [kept]) {
  return previewPrune({
    desiredKeys: new Set(desired.map(identityKey)),
    inventory,
    live: new Map(live.map(([r, object]) => [identityKey(r), object])),
    fieldManager,
    ownerLabels,
  });
}

describe("previewPrune", () => {
  it("prunes an object Slipway applied and the manifests no longer contain", () => {
    const gone = ref("gone");
    expect(preview([kept, gone], [[kept, liveObject("kept")], [gone, liveObject("gone")]])).toEqual([
      { ref: gone, name: "ConfigMap/apps/gone", action: "prune", conflicts: [], note: expect.stringContaining("merging deletes it") as unknown },
    ]);
  });

  it("says nothing of an object that is already gone", () => {
    const candidate = ref("x");
    expect(preview([candidate], [[candidate, undefined]])).toEqual([]);
  });

  it.each<{ case: string; live: KubeObject; reason: RegExp }>([
    { case: "label removed", live: liveObject("x", { labels: {} }), reason: /not applied by Slipway for this environment and repository/ },
    { case: "label of another environment", live: liveObject("x", { labels: { ...ownerLabels, [ownerLabel.key]: "staging" } }), reason: /not applied by Slipway/ },
    { case: "another repository's ApplySet", live: liveObject("x", { labels: { ...ownerLabels, [partOf.key]: "applyset-theirs-v1" } }), reason: /not applied by Slipway/ },
    { case: "field manager no longer listed", live: liveObject("x", { managedFields: [{ manager: "kubectl-edit", operation: "Update" }] }), reason: /no longer manages/ },
    { case: "no managedFields", live: liveObject("x", { managedFields: undefined }), reason: /no longer manages/ },
    { case: "a controller owns it", live: liveObject("x", { ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "1", controller: true }] }), reason: /Deployment\/web controls it/ },
  ])("keeps it, and says why, when $case", ({ live, reason }) => {
    const candidate = ref("x");
    const [plan] = preview([candidate], [[candidate, live]]);
    expect(plan?.action).toBe("retain");
    expect(plan?.note).toMatch(/^Removed from Git, will stay in the cluster: /);
    expect(plan?.note).toMatch(reason);
  });

  it("prunes despite a non-controller owner reference", () => {
    const candidate = ref("x");
    const live = liveObject("x", { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "2" }] });
    expect(preview([candidate], [[candidate, live]]).map((plan) => plan.name)).toEqual(["ConfigMap/apps/x"]);
  });

  it("matches desired objects by identity, ignoring the API version", () => {
    const old = ref("web", "HorizontalPodAutoscaler", "autoscaling/v1");
    const current = ref("web", "HorizontalPodAutoscaler", "autoscaling/v2");
    expect(preview([old], [[old, liveObject("web")]], [current])).toEqual([]);
  });

  it("lists each object once, sorted by name", () => {
    const b = ref("b");
    const a = ref("a", "Secret");
    const plans = preview([b, a, b], [[a, liveObject("a")], [b, liveObject("b")]]);
    expect(plans.map((plan) => plan.action)).toEqual(["prune", "prune"]);
    expect(plans.map((plan) => plan.name)).toEqual(["ConfigMap/apps/b", "Secret/apps/a"]);
  });

  it("prunes nothing when the desired set is empty", () => {
    const gone = ref("gone");
    expect(preview([gone], [[gone, liveObject("gone")]], [])).toEqual([]);
  });
});
