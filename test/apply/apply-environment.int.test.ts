// Apply on merge against the real API server and controllers: ordering with a CRD, pruning and
// its guards, config changes that roll workloads out, conflicts, idempotence, and objects that
// only look like Slipway's.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { readInventory } from "../../src/apply/inventory.js";
import { stampObject } from "../../src/desired/stamp.js";
import { actions, applier, configMap, deployment } from "../support/apply-env.js";
import { describeWithCluster, itWithControllers, useCluster } from "../support/cluster.js";

describeWithCluster("applyEnvironment", () => {
  const cluster = useCluster();

  it("applies a CRD before its custom resource, then changes, prunes and leaves alone on the next commit", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("apply");
    const group = `t${randomBytes(4).toString("hex")}.example.com`;
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { size: { type: integer } } }
`;
    const widget = (size: number) => `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: ${size}\n`;
    const apply = applier(ctx, ns);

    const first = await apply({ "crd.yaml": crd, "widget.yaml": widget(1), "a.yaml": configMap("a", "1"), "b.yaml": configMap("b", "1") }, "c1");

    expect(first.outcome).toBe("applied");
    expect(actions(first)).toMatchObject({ [`CustomResourceDefinition/widgets.${group}`]: "created", [`Widget/${ns}/w`]: "created", [`ConfigMap/${ns}/a`]: "created" });
    const inventory = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(inventory.commit).toBe("c1");
    expect(inventory.objects).toHaveLength(4);

    const second = await apply({ "crd.yaml": crd, "widget.yaml": widget(2), "a.yaml": configMap("a", "1") }, "c2");

    expect(second.outcome).toBe("applied");
    expect(actions(second)).toEqual({
      [`CustomResourceDefinition/widgets.${group}`]: "unchanged",
      [`Widget/${ns}/w`]: "configured",
      [`ConfigMap/${ns}/a`]: "unchanged",
      [`ConfigMap/${ns}/b`]: "pruned",
    });
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "b" })).toBeUndefined();

    // The same commit again (a redelivery, a re-run) converges with nothing to do.
    const again = await apply({ "crd.yaml": crd, "widget.yaml": widget(2), "a.yaml": configMap("a", "1") }, "c2");
    expect(new Set(Object.values(actions(again)))).toEqual(new Set(["unchanged"]));
  });

  itWithControllers("rolls a Deployment out when a ConfigMap it reads changes", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("rollout");
    const apply = applier(ctx, ns);
    const replicaSets = async () => (await ctx.store.list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: ns })).map((rs) => rs.metadata.name);

    const first = await apply({ "web.yaml": deployment("web", "web-config"), "config.yaml": configMap("web-config", "1") }, "c1");
    expect(first.outcome).toBe("applied");
    expect(first.objects.find((object) => object.name === `Deployment/${ns}/web`)?.readiness?.ready).toBe(true);
    const before = await replicaSets();

    const second = await apply({ "web.yaml": deployment("web", "web-config"), "config.yaml": configMap("web-config", "2") }, "c2");

    expect(actions(second)).toMatchObject({ [`ConfigMap/${ns}/web-config`]: "configured", [`Deployment/${ns}/web`]: "configured" });
    const after = await replicaSets();
    expect(after.length).toBe(before.length + 1);
  });

  it("fails an object whose fields another manager owns, and takes them over with conflicts: force", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("force");
    const files = { "a.yaml": configMap("a", "mine") };
    await applier(ctx, ns)(files, "c1");
    await ctx.client.request({
      method: "PATCH",
      path: `/api/v1/namespaces/${ns}/configmaps/a`,
      query: { fieldManager: "kubectl-edit" },
      contentType: "application/strategic-merge-patch+json",
      body: { data: { value: "edited by hand" } },
    });
    const changed = { "a.yaml": configMap("a", "from git") };

    const refused = await applier(ctx, ns)(changed, "c2");
    expect(refused.outcome).toBe("failed");
    expect(refused.objects[0]).toMatchObject({ action: "failed", conflicts: [expect.objectContaining({ field: ".data.value", manager: "kubectl-edit" })] });

    const forced = await applier(ctx, ns, { conflicts: "force" })(changed, "c3");
    expect(forced.outcome).toBe("applied");
    expect(forced.objects[0]).toMatchObject({ action: "configured", conflicts: [expect.objectContaining({ field: ".data.value", manager: "kubectl-edit" })] });
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a" });
    expect((live?.data as Record<string, string>).value).toBe("from git");
  });

  it("refuses an empty desired set, a guarded kind, and pruning most of the inventory, changing nothing", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("guards");
    const extra = `guarded-${randomBytes(3).toString("hex")}`;
    const apply = applier(ctx, ns);
    const files = {
      "ns.yaml": `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${extra}\n`,
      "a.yaml": configMap("a", "1"),
      "b.yaml": configMap("b", "1"),
      "c.yaml": configMap("c", "1"),
      "d.yaml": configMap("d", "1"),
    };
    expect((await apply(files, "c1")).outcome).toBe("applied");

    const empty = await apply({}, "c2");
    expect(empty).toMatchObject({ outcome: "refused", message: expect.stringMatching(/empty desired set/) });

    const withoutNamespace = await apply({ ...files, "ns.yaml": "", "a.yaml": configMap("a", "2") }, "c3");
    expect(withoutNamespace).toMatchObject({ outcome: "refused", message: expect.stringMatching(/add `Namespace` to `prune.allow`/) });

    // Three of the five objects Slipway manages: more than the default half.
    const mostGone = await apply({ "ns.yaml": files["ns.yaml"], "a.yaml": configMap("a", "2") }, "c4");
    expect(mostGone).toMatchObject({ outcome: "refused", message: expect.stringMatching(/prune.maxFraction/) });

    // Refused means untouched: the ConfigMap change in the refused commits was not applied.
    const a = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a" });
    expect((a?.data as Record<string, string>).value).toBe("1");
    expect(await ctx.store.get({ apiVersion: "v1", kind: "Namespace", name: extra })).toBeDefined();
    await ctx.store.delete({ apiVersion: "v1", kind: "Namespace", name: extra });
  });

  it("never prunes an object another tool labelled like Slipway's but Slipway never applied", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("foreign");
    const environment = `env-${ns}`;
    await ctx.store.apply(
      stampObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lookalike", namespace: ns }, data: { a: "1" } }, { environment }),
      { fieldManager: "other-tool" },
    );
    const report = await applier(ctx, ns)({ "a.yaml": configMap("a", "1") }, "c1");
    expect(report.outcome).toBe("applied");
    expect(Object.values(actions(report))).not.toContain("pruned");
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "lookalike" })).toBeDefined();
  });

  it("skips a commit the caller says is older than the last applied one, and records nothing", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("order");
    const apply = applier(ctx, ns);
    await apply({ "a.yaml": configMap("a", "new") }, "new-commit");
    const seen: Array<string | undefined> = [];
    const report = await apply({ "a.yaml": configMap("a", "old") }, "old-commit", {
      shouldSkip: (last) => {
        seen.push(last);
        return Promise.resolve(last === "new-commit" ? "older than the last applied commit" : undefined);
      },
    });
    expect(seen).toEqual(["new-commit"]);
    expect(report.outcome).toBe("skipped");
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a" });
    expect((live?.data as Record<string, string>).value).toBe("new");
  });

  it("lets only one copy of the app apply an environment at a time (a Lease)", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("lease");
    const apply = applier(ctx, ns);
    const timed = async (holder: string) => {
      let start = 0;
      await apply({ "a.yaml": configMap("a", holder) }, holder, {
        // Quick renewals and retries, so the waiting copy takes the released Lease at once.
        lease: { holder, leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 100 },
        // Runs under the Lease; holds it a while so the other copy must wait.
        shouldSkip: async () => {
          start = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 500));
          return undefined;
        },
      });
      return { start, end: Date.now() };
    };
    const [a, b] = await Promise.all([timed("copy-a"), timed("copy-b")]);
    const [first, second] = [a, b].sort((x, y) => x.start - y.start);
    expect(second?.start).toBeGreaterThanOrEqual((first?.end ?? Infinity) - 50);
  });
});
