// Pruning when the state of an object removed from Git cannot be read: a GET of it that never
// gets an answer (a proxy in front of the real API server holds it) leaves it in the cluster and
// in the inventory; only the API server's 404 lets the inventory forget an object.
import { expect, it } from "vitest";
import { readInventory } from "../../src/apply/inventory.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import { startApiProxy } from "../support/api-proxy.js";
import { actions, applier, configMap } from "../support/apply-env.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

describeWithCluster("pruning objects whose state cannot be read", () => {
  const cluster = useCluster();

  it("keeps an object whose GET times out in the inventory and the cluster, forgets one the API server says is gone, and prunes the first once it can be read", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("unread");
    const files = { "a.yaml": configMap("a", "1"), "stuck.yaml": configMap("stuck", "1"), "deleted.yaml": configMap("deleted", "1") };
    expect((await applier(ctx, ns)(files, "c1")).outcome).toBe("applied");
    // Deleted by hand: the next apply reads a 404 for it.
    await ctx.store.delete({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "deleted" });

    const stuckPath = `/api/v1/namespaces/${ns}/configmaps/stuck`;
    const proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: { stall: (req) => req.method === "GET" && req.path === stuckPath } });
    const client = await KubeClient.fromKubeConfig({ kubeConfig: proxy.kubeConfig(), options: { timeoutMs: 500, retries: 1, retryBaseMs: 50 } });
    try {
      const store = new ObjectStore(client, new Discovery(client));
      const report = await applier({ store }, ns)({ "a.yaml": configMap("a", "1") }, "c2");

      expect(report.outcome).toBe("failed");
      expect(actions(report)).toEqual({ [`ConfigMap/${ns}/a`]: "unchanged", [`ConfigMap/${ns}/stuck`]: "not-attempted" });
      const stuck = report.objects.find((object) => object.name === `ConfigMap/${ns}/stuck`);
      expect(stuck?.message).toMatch(/Not pruned: its state could not be read \(GET .*stuck: no answer within 500 ms\); it stays in the inventory/);
      expect(proxy.seen.filter((req) => req.path === stuckPath)).toHaveLength(2);
    } finally {
      client.close();
      await proxy.close();
    }
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "stuck" })).toBeDefined();
    const kept = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(kept.commit).toBe("c2");
    expect(kept.objects.map((ref) => ref.name).sort()).toEqual(["a", "stuck"]);

    const readable = await applier(ctx, ns)({ "a.yaml": configMap("a", "1") }, "c3");

    expect(readable.outcome).toBe("applied");
    expect(actions(readable)).toEqual({ [`ConfigMap/${ns}/a`]: "unchanged", [`ConfigMap/${ns}/stuck`]: "pruned" });
    const after = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(after.objects.map((ref) => ref.name)).toEqual(["a"]);
  });
});
