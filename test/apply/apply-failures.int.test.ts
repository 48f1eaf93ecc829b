// An apply where something fails, against the real API server and controllers: one object's
// failure fails that object only, and then nothing is pruned in that run, so a renamed object
// whose new name fails keeps its old one.
import { expect, it } from "vitest";
import { readInventory } from "../../src/apply/inventory.js";
import { actions, applier, configMap, deployment } from "../support/apply-env.js";
import { describeWithCluster, itWithControllers, useCluster } from "../support/cluster.js";

describeWithCluster("an apply with failures", () => {
  const cluster = useCluster();

  it("fails only the object with a conflict, applies the others, and prunes nothing in that run", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("partial");
    const apply = applier(ctx, ns);
    expect((await apply({ "a.yaml": configMap("a", "1"), "b.yaml": configMap("b", "1"), "old.yaml": configMap("old", "1") }, "c1")).outcome).toBe("applied");
    await ctx.client.request({
      method: "PATCH",
      path: `/api/v1/namespaces/${ns}/configmaps/a`,
      query: { fieldManager: "kubectl-edit" },
      contentType: "application/strategic-merge-patch+json",
      body: { data: { value: "edited by hand" } },
    });

    const report = await apply({ "a.yaml": configMap("a", "2"), "b.yaml": configMap("b", "2"), "c.yaml": configMap("c", "2") }, "c2");

    expect(report.outcome).toBe("failed");
    expect(actions(report)).toEqual({
      [`ConfigMap/${ns}/a`]: "failed",
      [`ConfigMap/${ns}/b`]: "configured",
      [`ConfigMap/${ns}/c`]: "created",
      [`ConfigMap/${ns}/old`]: "not-attempted",
    });
    expect(report.message).toMatch(/Pruning skipped: 1 object failed, was not applied or is not ready\. The 1 object removed from Git stays/);
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "old" })).toBeDefined();
    const inventory = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(inventory.objects.map((ref) => ref.name).sort()).toEqual(["a", "b", "c", "old"]);
  });

  itWithControllers("keeps the old Deployment of a rename whose new one does not become ready, and prunes it once the new one does", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("rename");
    const apply = applier(ctx, ns, { readinessTimeoutSeconds: 3 });
    const config = { "config.yaml": configMap("web-config", "1") };
    expect((await apply({ ...config, "web.yaml": deployment("web", "web-config") }, "c1")).outcome).toBe("applied");

    // Renamed to web-v2, whose pods cannot be scheduled: no node carries the label it selects.
    const unschedulable = '\n      nodeSelector: { "slipway.dev/no-such-node": "yes" }';
    const renamed = await apply({ ...config, "web.yaml": deployment("web-v2", "web-config", 1, unschedulable) }, "c2");

    expect(renamed.outcome).toBe("failed");
    expect(renamed.objects.find((object) => object.name === `Deployment/${ns}/web-v2`)?.readiness?.ready).toBe(false);
    expect(actions(renamed)[`Deployment/${ns}/web`]).toBe("not-attempted");
    expect(renamed.message).toMatch(/Pruning skipped/);
    expect(await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" })).toBeDefined();

    const fixed = await apply({ ...config, "web.yaml": deployment("web-v2", "web-config") }, "c3");

    expect(fixed.outcome).toBe("applied");
    expect(actions(fixed)).toMatchObject({ [`Deployment/${ns}/web-v2`]: "configured", [`Deployment/${ns}/web`]: "pruned" });
    const inventory = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(inventory.objects.map((ref) => ref.name).sort()).toEqual(["web-config", "web-v2"]);
  });
});
