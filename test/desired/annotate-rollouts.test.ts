import { describe, expect, it } from "vitest";
import { annotateRollouts } from "../../src/desired/annotate-rollouts.js";
import type { ObjectRef } from "../../src/manifests/object.js";
import type { ObjectPlan, PlanAction } from "../../src/plan/types.js";

function plan(name: string, action: PlanAction): ObjectPlan {
  const [kind = "", namespace, objectName = ""] = name.split("/");
  const apiVersion = kind === "Deployment" || kind === "StatefulSet" ? "apps/v1" : "v1";
  const ref: ObjectRef = { apiVersion, kind, namespace, name: objectName };
  return { ref, name, action, conflicts: [] };
}

const rollouts = new Map([
  ["Deployment/apps/web", ["ConfigMap/apps/web-config", "Secret/apps/web-credentials"]],
  ["StatefulSet/apps/db", ["ConfigMap/apps/web-config"]],
]);

const rollsOutOf = (plans: ObjectPlan[], name: string) => plans.find((p) => p.name === name)?.rollsOut;

describe("annotateRollouts", () => {
  it("lists, on a changed ConfigMap, every changed workload that reads it", () => {
    const plans = annotateRollouts({
      plans: [plan("ConfigMap/apps/web-config", "change"), plan("Deployment/apps/web", "change"), plan("StatefulSet/apps/db", "change")],
      rollouts,
    });
    expect(rollsOutOf(plans, "ConfigMap/apps/web-config")).toEqual([
      "ConfigMap/apps/web-config changed → Deployment/apps/web will roll out",
      "ConfigMap/apps/web-config changed → StatefulSet/apps/db will roll out",
    ]);
    expect(rollsOutOf(plans, "Deployment/apps/web")).toBeUndefined();
  });

  it("says when the config is created", () => {
    const plans = annotateRollouts({ plans: [plan("Secret/apps/web-credentials", "create"), plan("Deployment/apps/web", "change")], rollouts });
    expect(rollsOutOf(plans, "Secret/apps/web-credentials")).toEqual(["Secret/apps/web-credentials created → Deployment/apps/web will roll out"]);
  });

  it.each<[PlanAction, boolean]>([
    ["change", true],
    ["create", false],
    ["unchanged", false],
    ["prune", false],
    ["unverified", false],
    ["rejected", false],
  ])("a workload whose plan is %s rolls out: %s", (action, expected) => {
    const plans = annotateRollouts({ plans: [plan("ConfigMap/apps/web-config", "change"), plan("Deployment/apps/web", action)], rollouts });
    expect(rollsOutOf(plans, "ConfigMap/apps/web-config")).toEqual(expected ? ["ConfigMap/apps/web-config changed → Deployment/apps/web will roll out"] : undefined);
  });

  it.each<PlanAction>(["unchanged", "prune", "unverified", "rejected"])("leaves a ConfigMap whose plan is %s alone", (action) => {
    const plans = annotateRollouts({ plans: [plan("ConfigMap/apps/web-config", action), plan("Deployment/apps/web", "change")], rollouts });
    expect(rollsOutOf(plans, "ConfigMap/apps/web-config")).toBeUndefined();
  });

  it("ignores workloads the plan does not contain, and config no workload reads", () => {
    const plans = annotateRollouts({ plans: [plan("ConfigMap/apps/web-config", "change"), plan("ConfigMap/apps/other", "change")], rollouts });
    expect(plans.map((p) => p.rollsOut)).toEqual([undefined, undefined]);
  });

  it("matches the namespace: a ConfigMap of the same name elsewhere rolls nothing out", () => {
    const plans = annotateRollouts({ plans: [plan("ConfigMap/other/web-config", "change"), plan("Deployment/apps/web", "change")], rollouts });
    expect(rollsOutOf(plans, "ConfigMap/other/web-config")).toBeUndefined();
  });

  it("does not modify the plans it was given", () => {
    const input = [plan("ConfigMap/apps/web-config", "change"), plan("Deployment/apps/web", "change")];
    const before = structuredClone(input);
    annotateRollouts({ plans: input, rollouts });
    expect(input).toEqual(before);
  });
});
