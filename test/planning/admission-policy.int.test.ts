// Dry-runs go through admission, so a cluster's own rules are part of every plan: a real
// ValidatingAdmissionPolicy that forbids privileged containers rejects the change in the plan,
// on the manifest of the object that asks for it — before anyone merges.
import { expect, it } from "vitest";
import { defineEnvironment } from "../../src/config/schema.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import { renderCheckRun } from "../../src/render/check-run.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

const deployment = (privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: web:1
          securityContext:
            privileged: ${String(privileged)}
`;

describeWithCluster("admission policies in the plan", () => {
  const cluster = useCluster();

  it("shows a ValidatingAdmissionPolicy's rejection of a privileged container on its manifest", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("vap");
    const name = `no-privileged-${ns}`;
    await ctx.store.apply(
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name },
        spec: {
          failurePolicy: "Fail",
          matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] }] },
          validations: [
            {
              expression: "object.spec.template.spec.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)",
              message: "privileged containers are not allowed in this cluster",
              reason: "Invalid",
            },
          ],
        },
      },
      { fieldManager: "test-setup" },
    );
    await ctx.store.apply(
      {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name },
        spec: { policyName: name, validationActions: ["Deny"], matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } } },
      },
      { fieldManager: "test-setup" },
    );
    const environment = defineEnvironment({ name: "test", paths: ["**"], namespace: ns });
    const plan = (privileged: boolean) =>
      planEnvironment({ environment, head: [{ path: "deploy/web.yaml", content: deployment(privileged) }], base: [], target: { mode: "cluster", store: ctx.store, context: "test" }, fieldManager: "slipway" });
    // A policy takes effect once the API server has loaded it and its binding.
    let rejected = await plan(true);
    for (let waited = 0; rejected.objects[0]?.action !== "rejected" && waited < 20_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      rejected = await plan(true);
    }
    const [web] = rejected.objects;
    expect(web).toMatchObject({ action: "rejected", name: `Deployment/${ns}/web`, position: { file: "deploy/web.yaml", line: 1 } });
    expect(web?.note).toBe(
      `The cluster's ValidatingAdmissionPolicy ${name} refuses this object: privileged containers are not allowed in this cluster. That is the cluster's own rule, applied to every dry-run and apply: change the manifest, or ask the cluster's operators.`,
    );
    const report = renderCheckRun(rejected, { headSha: "c".repeat(40) });
    expect(report.conclusion).toBe("failure");
    expect(report.annotations).toContainEqual(expect.objectContaining({ path: "deploy/web.yaml", start_line: 1, annotation_level: "failure" }));
    // The same workload, unprivileged, passes the same policy.
    expect((await plan(false)).objects[0]?.action).toBe("create");
  });
});
