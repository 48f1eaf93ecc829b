// The apply's Lease against the real API server, with client-go's semantics: another holder's
// Lease expires a lease duration after this process saw it change, whatever its timestamps say;
// a Lease taken away mid-apply, or one that cannot be renewed, stops the apply at once and the
// report says what was applied; a Lease the API server refuses (422) is an error.
import { expect, it } from "vitest";
import { readInventory } from "../../src/apply/inventory.js";
import { microTime } from "../../src/apply/lease-record.js";
import { withLease } from "../../src/apply/lease.js";
import { LeaseHeldError, type LeaseEvent } from "../../src/apply/lease-types.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { ObjectStore, type ApplyOptions, type CallOptions } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { renderApplyCheckRun } from "../../src/render/apply-report.js";
import { startApiProxy } from "../support/api-proxy.js";
import { actions, applier, configMap } from "../support/apply-env.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";

/** Fast enough for a test: a 3 s Lease, given up after 2 s without renewal, renewed every 200 ms. */
const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };
const files = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`cm-${index}.yaml`, configMap(`cm-${String(index).padStart(2, "0")}`, String(index))]));
const leasePath = (ns: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/slipway-inventory-env-${ns}-lock`;

async function leaseSpec(ctx: ClusterContext, ns: string): Promise<Record<string, unknown>> {
  return (await ctx.client.request<KubeObject>({ method: "GET", path: leasePath(ns) })).body.spec as Record<string, unknown>;
}

/** Runs `during` once, before the `after`-th real apply is sent, then sends it (or not, once the signal fired). */
class InterruptingStore extends ObjectStore {
  private applied = 0;
  constructor(
    base: ObjectStore,
    private readonly after: number,
    private readonly during: (signal: AbortSignal | undefined) => Promise<void>,
  ) {
    super(base.client, base.discovery);
  }
  override async apply(object: KubeObject, options: Partial<ApplyOptions> & CallOptions = {}): Promise<KubeObject> {
    if (!options.dryRun && object.kind === "ConfigMap" && object.metadata.name?.startsWith("cm-") && ++this.applied === this.after) await this.during(options.signal);
    return super.apply(object, options);
  }
}

/** Resolves when `signal` fires, with the time it took; rejects after `timeoutMs`. */
function abortedWithin(signal: AbortSignal | undefined, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    if (!signal) return reject(new Error("the apply sent no signal"));
    const timer = setTimeout(() => reject(new Error(`not aborted within ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    }, { once: true });
  });
}

describeWithCluster("the apply's Lease", () => {
  const cluster = useCluster();

  it("stops an apply whose Lease another copy takes mid-apply, says so object by object, and the next apply converges", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("stolen");
    const events: LeaseEvent[] = [];
    let stopMs = Number.NaN;
    const store = new InterruptingStore(ctx.store, 11, async (signal) => {
      // Another copy writes itself into the Lease (as one that judged it expired would).
      const live = (await ctx.client.request<KubeObject>({ method: "GET", path: leasePath(ns) })).body;
      const now = microTime(Date.now());
      await ctx.client.request({ method: "PUT", path: leasePath(ns), body: { ...live, spec: { ...(live.spec as object), holderIdentity: "rival", acquireTime: now, renewTime: now } } });
      stopMs = await abortedWithin(signal, 5_000);
    });

    const report = await applier({ store }, ns)(files, "c1", { concurrency: 1, lease: { ...timing, holder: "mine", onEvent: (event) => events.push(event) } });

    console.info(`[lease] a stolen Lease stopped the apply ${stopMs.toFixed(0)} ms after the theft (retry period ${timing.retryPeriodMs} ms)`);
    expect(stopMs).toBeLessThan(timing.retryPeriodMs + 1_000);
    expect(report.outcome).toBe("failed");
    expect(report.message).toMatch(
      new RegExp(`^Stopped: the Lease ${ns}/slipway-inventory-env-${ns}-lock was lost to rival \\(its record names another holder\\)\\. 10 applied, 0 failed or cancelled in flight, 30 not attempted`),
    );
    const byAction = Object.values(actions(report));
    expect(byAction.filter((action) => action === "created")).toHaveLength(10);
    expect(byAction.filter((action) => action === "not-attempted")).toHaveLength(30);
    expect(report.objects.find((object) => object.action === "not-attempted")?.message).toMatch(/Not attempted: the apply stopped \(the Lease .* was lost to rival/);
    expect(events).toContainEqual({ type: "lost", holder: "rival", reason: "its record names another holder" });
    // The check run fails and says why in its summary.
    const checkRun = renderApplyCheckRun(report);
    expect(checkRun.conclusion).toBe("failure");
    expect(checkRun.title).toBe("30 not attempted, 10 created");
    expect(checkRun.summary).toMatch(/was lost to rival/);
    // The rival's Lease is left alone, and the inventory is the one written before the apply: it
    // lists all 40 objects (10 of which exist now), and no commit was recorded.
    expect((await leaseSpec(ctx, ns)).holderIdentity).toBe("rival");
    const inventory = await readInventory(ctx.store, { environment: `env-${ns}`, namespace: ns });
    expect(inventory.objects).toHaveLength(40);
    expect(inventory.commit).toBeUndefined();

    // The rival is done and releases the Lease; the next apply converges.
    const live = (await ctx.client.request<KubeObject>({ method: "GET", path: leasePath(ns) })).body;
    await ctx.client.request({ method: "PUT", path: leasePath(ns), body: { ...live, spec: { ...(live.spec as object), holderIdentity: null } } });
    const next = await applier(ctx, ns)(files, "c2", { lease: timing });
    expect(next.outcome).toBe("applied");
    expect(Object.values(actions(next)).filter((action) => action === "unchanged")).toHaveLength(10);
    expect(Object.values(actions(next)).filter((action) => action === "created")).toHaveLength(30);
  });

  it("waits for a holder that keeps renewing, past its lease duration, then refuses without touching anything", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("held");
    const now = microTime(Date.now());
    await ctx.client.request({
      method: "POST",
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: `slipway-inventory-env-${ns}-lock` }, spec: { holderIdentity: "alive", leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
    });
    // The holder renews every 300 ms: each renewal is a change this process sees, so its 1 s
    // lease never runs out here, though we wait four times as long.
    const renewing = setInterval(() => {
      void (async () => {
        const live = (await ctx.client.request<KubeObject>({ method: "GET", path: leasePath(ns) })).body;
        await ctx.client.request({ method: "PUT", path: leasePath(ns), body: { ...live, spec: { ...(live.spec as object), renewTime: microTime(Date.now()) } } });
      })().catch(() => undefined);
    }, 300);
    const events: LeaseEvent[] = [];
    const started = performance.now();
    try {
      const error = await applier(ctx, ns)({ "a.yaml": configMap("a", "1") }, "c1", { lease: { ...timing, waitMs: 4_000, onEvent: (event) => events.push(event) } }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(LeaseHeldError);
      expect((error as Error).message).toMatch(/another Slipway \(alive\) is applying .* gave up after 4000 ms/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4_000);
    } finally {
      clearInterval(renewing);
    }
    expect(events).toEqual([{ type: "held-by", holder: "alive" }]);
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "a" })).toBeUndefined();
    expect((await leaseSpec(ctx, ns)).holderIdentity).toBe("alive");
  });

  it("releases the Lease when the apply is done, so the next holder takes it at once", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("released");
    const first = await applier(ctx, ns)({ "a.yaml": configMap("a", "1") }, "c1", { lease: { ...timing, holder: "first" } });
    expect(first.outcome).toBe("applied");
    const released = await leaseSpec(ctx, ns);
    expect(released.holderIdentity).toBeUndefined();
    expect(released.leaseDurationSeconds).toBe(1);

    // A long lease duration: had the Lease not been released, the second would wait a minute.
    const events: LeaseEvent[] = [];
    const second = await applier(ctx, ns)({ "a.yaml": configMap("a", "2") }, "c2", { lease: { holder: "second", leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 200, waitMs: 5_000, onEvent: (event) => events.push(event) } });
    expect(second.outcome).toBe("applied");
    const acquired = events.find((event) => event.type === "acquired");
    expect(acquired).toMatchObject({ holder: "second", transitions: 1 });
    if (acquired?.type === "acquired") expect(acquired.waitedMs).toBeLessThan(1_000);
    expect(events.at(-1)).toEqual({ type: "released" });
  });

  it("stops an apply whose Lease cannot be renewed within the renew deadline, reporting each failed renewal", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("unrenewed");
    let leaseUnreachable = false;
    const proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: { stall: (req) => leaseUnreachable && req.path.includes("/leases/") } });
    const client = await KubeClient.fromKubeConfig({ kubeConfig: proxy.kubeConfig() });
    const events: Array<LeaseEvent & { atMs: number }> = [];
    let stopMs = Number.NaN;
    try {
      const proxied = new ObjectStore(client, new Discovery(client));
      const store = new InterruptingStore(proxied, 5, async (signal) => {
        leaseUnreachable = true;
        stopMs = await abortedWithin(signal, 10_000);
      });
      const report = await applier({ store }, ns)(files, "c1", { concurrency: 1, lease: { ...timing, onEvent: (event) => events.push({ ...event, atMs: performance.now() }) } });

      console.info(`[lease] unrenewable Lease stopped the apply ${stopMs.toFixed(0)} ms after its requests began to hang (renew deadline ${timing.renewDeadlineMs} ms)`);
      expect(stopMs).toBeLessThan(timing.renewDeadlineMs + 1_000);
      expect(report.outcome).toBe("failed");
      expect(report.message).toMatch(/^Stopped: the Lease .* was lost \(no renewal succeeded for 2 s: .*\)\. 4 applied/);
      const failures = events.filter((event) => event.type === "renew-failed");
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)).toMatchObject({ type: "lost", holder: undefined });
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it("takes over a Lease a lease duration after it saw the record last change, whatever its timestamps say, and counts the transition", async () => {
    const ctx = await cluster();
    for (const [when, renewMs] of [["long ago", Date.now() - 3_600_000], ["in the future (a fast clock)", Date.now() + 3_600_000]] as const) {
      const ns = await ctx.namespace("expired");
      await ctx.client.request({
        method: "POST",
        path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: `slipway-inventory-env-${ns}-lock` },
          spec: { holderIdentity: "a-copy-that-died", leaseDurationSeconds: 2, acquireTime: microTime(renewMs), renewTime: microTime(renewMs), leaseTransitions: 3 },
        },
      });
      const events: LeaseEvent[] = [];

      const report = await applier(ctx, ns)({ "a.yaml": configMap("a", "1") }, "c1", { lease: { ...timing, waitMs: 10_000, onEvent: (event) => events.push(event) } });

      expect({ when, outcome: report.outcome }).toEqual({ when, outcome: "applied" });
      const acquired = events.find((event) => event.type === "acquired");
      console.info(`[lease] a dead holder's Lease (renewTime ${when}, 2 s) was taken after ${acquired?.type === "acquired" ? acquired.waitedMs : "?"} ms`);
      expect(acquired).toMatchObject({ transitions: 4, waitedMs: expect.any(Number) });
      if (acquired?.type === "acquired") expect(acquired.waitedMs).toBeGreaterThanOrEqual(2_000);
      expect(events[0]).toEqual({ type: "held-by", holder: "a-copy-that-died" });
      // Released when done: no holder, the transition count kept.
      const spec = await leaseSpec(ctx, ns);
      expect(spec.holderIdentity).toBeUndefined();
      expect(spec.leaseTransitions).toBe(4);
    }
  });

  it("fails at once with the API server's refusal of the Lease (422), instead of waiting for a holder", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("invalid");
    const started = Date.now();

    // Not a DNS subdomain: the name environment names used to produce before they were checked.
    const error = await withLease(ctx.store, { ...timing, namespace: ns, name: "slipway-inventory-prod_eu-lock", holder: "me", waitMs: 60_000 }, () => Promise.resolve()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).statusCode).toBe(422);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
