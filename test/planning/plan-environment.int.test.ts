// The whole plan against the real API server: every action, both kinds of conflict, a
// strict-validation error on its line, Secret masking, and a Namespace new in the same change.
import { expect, it } from "vitest";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import { stampObject } from "../../src/desired/stamp.js";
import { applyAsSlipway } from "../support/apply-as-slipway.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import type { ManifestFile } from "../../src/manifests/manifest-file.js";
import { parseManifestFile } from "../../src/manifests/parse.js";
import { renderPlanComment } from "../../src/render/comment.js";
import { renderCheckRun } from "../../src/render/check-run.js";
import { renderPlanText } from "../../src/render/text.js";
import type { EnvironmentPlan } from "../../src/plan/types.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";

const secretValues = ["hunter2-very-secret", "s3cr3t-rotated-value", "only-in-base-secret"];

function environment(namespace: string): EnvironmentConfig {
  return defineEnvironment({ name: "test", paths: ["**/*.yaml"], namespace, clusterScoped: true });
}

const deployment = (params: { image: string; replicas: number }) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${params.replicas}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: ${params.image}
`;

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  key: "${value}"
`;

const secret = (password: string) => `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${password}
  user: app
`;

/** Applies manifests as Slipway would have on an earlier merge. */
async function applyFilesAsSlipway(ctx: ClusterContext, namespace: string, files: ManifestFile[]): Promise<void> {
  const objects = files.flatMap((file) => parseManifestFile(file).objects.map(({ object }) => object));
  await applyAsSlipway({ store: ctx.store, environment: "test", namespace, objects });
}

async function manualEdit(ctx: ClusterContext, path: string, manager: string, patch: unknown): Promise<void> {
  await ctx.client.request({
    method: "PATCH",
    path,
    query: { fieldManager: manager },
    // What `kubectl edit` and `kubectl scale` send: a strategic merge patch.
    contentType: "application/strategic-merge-patch+json",
    body: patch,
  });
}

function byName(plan: EnvironmentPlan) {
  return new Map(plan.objects.map((object) => [object.name, object]));
}

describeWithCluster("planEnvironment against the cluster", () => {
  const cluster = useCluster();

  it("reports create, change, unchanged and prune, and both kinds of ownership conflict", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("plan");
    await applyFilesAsSlipway(ctx, ns, [
      { path: "web.yaml", content: deployment({ image: "web:1.0", replicas: 2 }) },
      { path: "same.yaml", content: configMap("same", "1") },
      { path: "old.yaml", content: configMap("old", "1") },
    ]);
    // A person edits the image by hand; an HPA-like controller scales through the subresource.
    await manualEdit(ctx, `/apis/apps/v1/namespaces/${ns}/deployments/web`, "kubectl-edit", {
      spec: { template: { spec: { containers: [{ name: "app", image: "web:hotfix" }] } } },
    });
    await manualEdit(ctx, `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`, "kube-controller-manager", { spec: { replicas: 5 } });

    const plan = await planEnvironment({
      environment: environment(ns),
      head: [
        { path: "web.yaml", content: deployment({ image: "web:2.0", replicas: 2 }) },
        { path: "same.yaml", content: configMap("same", "1") },
        { path: "new.yaml", content: configMap("new", "1") },
      ],
      base: [
        { path: "web.yaml", content: deployment({ image: "web:1.0", replicas: 2 }) },
        { path: "same.yaml", content: configMap("same", "1") },
        { path: "old.yaml", content: configMap("old", "1") },
      ],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });

    expect(plan.error).toBeUndefined();
    expect(plan.findings).toEqual([]);
    const objects = byName(plan);
    expect(objects.get(`ConfigMap/${ns}/new`)?.action).toBe("create");
    expect(objects.get(`ConfigMap/${ns}/same`)?.action).toBe("unchanged");
    expect(objects.get(`ConfigMap/${ns}/old`)?.action).toBe("prune");
    const web = objects.get(`Deployment/${ns}/web`);
    expect(web?.action).toBe("change");
    expect(web?.diff).toContain("-        - image: web:hotfix");
    expect(web?.diff).toContain("+        - image: web:2.0");
    expect(web?.diff).toContain("+  replicas: 2");

    const conflicts = new Map(web?.conflicts.map((conflict) => [conflict.field, conflict]));
    expect(conflicts.get(".spec.replicas")).toMatchObject({
      manager: "kube-controller-manager",
      subresource: "scale",
      operation: "Update",
      ownerKind: "controller",
      liveValue: "5",
      desiredValue: "2",
      position: { file: "web.yaml", line: 6 },
    });
    expect(conflicts.get('.spec.template.spec.containers[name="app"].image')).toMatchObject({
      manager: "kubectl-edit",
      operation: "Update",
      ownerKind: "manual-edit",
      liveValue: '"web:hotfix"',
      desiredValue: '"web:2.0"',
      position: { file: "web.yaml", line: 15 },
    });
    expect(renderCheckRun(plan, { headSha: "a".repeat(40) }).conclusion).toBe("failure");
  });

  it("maps a strict-validation rejection to the line of the unknown field", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("strict");
    const content = deployment({ image: "web:1", replicas: 1 }).replace("image: web:1", "image: web:1\n          imagePullPolicyy: Always");

    const plan = await planEnvironment({
      environment: environment(ns),
      head: [{ path: "deploy/web.yaml", content }],
      base: [],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });

    const [web] = plan.objects;
    expect(web).toMatchObject({ action: "rejected", position: { file: "deploy/web.yaml", line: 16 } });
    expect(web?.note).toContain("imagePullPolicyy");
    const annotations = renderCheckRun(plan, { headSha: "b".repeat(40) }).annotations;
    expect(annotations).toContainEqual(expect.objectContaining({ path: "deploy/web.yaml", start_line: 16, annotation_level: "failure" }));
  });

  it("shows a Secret only as per-key states, in every output", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("secret");
    await applyFilesAsSlipway(ctx, ns, [{ path: "db.yaml", content: secret(secretValues[0] ?? "") }]);

    const plan = await planEnvironment({
      environment: environment(ns),
      head: [{ path: "db.yaml", content: secret(secretValues[1] ?? "") }],
      base: [{ path: "db.yaml", content: secret(secretValues[2] ?? "") }],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });

    const [db] = plan.objects;
    expect(db?.action).toBe("change");
    expect(db?.secretKeys).toEqual([
      { key: "password", state: "changed" },
      { key: "user", state: "unchanged" },
    ]);
    const outputs = [
      JSON.stringify(plan),
      renderPlanComment({ plans: [plan], headSha: "c".repeat(40), marker: "<!-- slipway:plan -->" }),
      JSON.stringify(renderCheckRun(plan, { headSha: "c".repeat(40) })),
      renderPlanText([plan], { color: false }),
    ];
    for (const output of outputs) {
      for (const value of secretValues) {
        expect(output).not.toContain(value);
        expect(output).not.toContain(Buffer.from(value).toString("base64"));
      }
    }
  });

  it("reports objects in a Namespace new in the same change as unverified, not as failures", async () => {
    const ctx = await cluster();
    const fresh = `fresh-${Date.now().toString(36)}`;
    const plan = await planEnvironment({
      environment: environment("default"),
      head: [
        { path: "ns.yaml", content: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${fresh}\n` },
        { path: "cm.yaml", content: configMap("inside", "1").replace("name: inside", `name: inside\n  namespace: ${fresh}`) },
      ],
      base: [],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });

    const objects = byName(plan);
    expect(objects.get(`Namespace/${fresh}`)?.action).toBe("create");
    expect(objects.get(`ConfigMap/${fresh}/inside`)).toMatchObject({ action: "unverified", note: expect.stringContaining("new in this change") });
    expect(renderCheckRun(plan, { headSha: "d".repeat(40) }).conclusion).toBe("success");
    expect(await ctx.store.get({ apiVersion: "v1", kind: "Namespace", name: fresh })).toBeUndefined();
  });

  it("reports a custom resource whose CRD is new in the same change as unverified", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("crd");
    const group = `new${Date.now().toString(36)}.example.com`;
    const crd = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.${group}\nspec:\n  group: ${group}\n  scope: Namespaced\n  names: { plural: gadgets, singular: gadget, kind: Gadget }\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }\n`;
    const plan = await planEnvironment({
      environment: environment(ns),
      head: [
        { path: "crd.yaml", content: crd },
        { path: "gadget.yaml", content: `apiVersion: ${group}/v1\nkind: Gadget\nmetadata:\n  name: g\n` },
      ],
      base: [],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });
    const objects = byName(plan);
    expect(objects.get(`CustomResourceDefinition/gadgets.${group}`)?.action).toBe("create");
    expect(objects.get(`Gadget/${ns}/g`)).toMatchObject({ action: "unverified", note: expect.stringContaining("CustomResourceDefinition is new") });
    expect(plan.findings).toEqual([]);
  });

  it("does not prune an object Slipway never applied, and says it stays", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("foreign");
    // Labelled like Slipway's, but applied by another manager.
    await ctx.store.apply(
      stampObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "foreign", namespace: ns }, data: { a: "1" } }, { environment: "test" }),
      { fieldManager: "someone-else" },
    );
    const plan = await planEnvironment({
      environment: environment(ns),
      head: [{ path: "keep.yaml", content: configMap("keep", "1") }],
      base: [{ path: "keep.yaml", content: `${configMap("keep", "1")}---\n${configMap("foreign", "1")}` }],
      target: { mode: "cluster", store: ctx.store, context: "test" },
      fieldManager: "slipway",
    });
    expect(plan.objects.map((object) => `${object.action} ${object.name}`)).toEqual(["create ConfigMap/" + ns + "/keep", "retain ConfigMap/" + ns + "/foreign"]);
    expect(plan.objects[1]?.note).toMatch(/^Removed from Git, will stay in the cluster: not applied by Slipway/);
  });
});
