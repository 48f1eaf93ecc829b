// What a plan says when the cluster refuses Slipway: missing RBAC names the verb and resource,
// bad credentials say so. Both decided by the real API server.
import { readFileSync } from "node:fs";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { expect, it } from "vitest";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";

const environment = (namespace: string): EnvironmentConfig => defineEnvironment({ name: "restricted", paths: ["**"], namespace });
const head = [{ path: "cm.yaml", content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n" }];

/** A store that talks to the test cluster with another bearer token. */
async function storeWithToken(ctx: ClusterContext, token: string): Promise<ObjectStore> {
  const admin = new KubeConfig();
  admin.loadFromFile(ctx.kubeconfigPath);
  const cluster = admin.getCurrentCluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "c", server: cluster?.server ?? "", skipTLSVerify: false, caData: cluster?.caData ?? readFileSync(cluster?.caFile ?? "").toString("base64") }],
    users: [{ name: "u", token }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  const client = await KubeClient.fromKubeConfig({ kubeConfig, options: { retries: 0 } });
  return new ObjectStore(client, new Discovery(client));
}

describeWithCluster("a plan the cluster refuses", () => {
  const cluster = useCluster();

  it("names the missing RBAC verb and resource when Slipway may read but not patch", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("rbac");
    const apply = (object: Record<string, unknown>) => ctx.store.apply(object as never, { fieldManager: "test-setup" });
    await apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "planner", namespace: ns } });
    await apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "read-only", namespace: ns },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }],
    });
    await apply({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "planner", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-only" },
      subjects: [{ kind: "ServiceAccount", name: "planner", namespace: ns }],
    });
    const { body } = await ctx.client.request<{ status: { token: string } }>({
      method: "POST",
      path: `/api/v1/namespaces/${ns}/serviceaccounts/planner/token`,
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } },
    });
    const store = await storeWithToken(ctx, body.status.token);

    const plan = await planEnvironment({ environment: environment(ns), head, base: [], target: { mode: "cluster", store, context: "ctx" }, fieldManager: "slipway" });
    store.client.close();

    expect(plan.error).toBeUndefined();
    const [object] = plan.objects;
    expect(object?.action).toBe("rejected");
    expect(object?.note).toMatch(/cannot patch resource "configmaps"/);
    expect(object?.note).toMatch(/grant get, create and patch/);
  });

  it("says the credentials were rejected, without the token, when they are wrong", async () => {
    const ctx = await cluster();
    const store = await storeWithToken(ctx, "not-a-valid-token-value");
    const plan = await planEnvironment({
      environment: environment("default"),
      head,
      base: [],
      target: { mode: "cluster", store, context: "ctx" },
      fieldManager: "slipway",
    });
    store.client.close();
    expect(plan.error).toMatch(/Environment restricted .*rejected Slipway's credentials \(401 Unauthorized\)/);
    expect(plan.error).not.toContain("not-a-valid-token-value");
  });
});
