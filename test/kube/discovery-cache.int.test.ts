// Discovery cached on disk between runs of the command line, against the real API server: a
// proxy in front of it records every request, so "no discovery requests" is what the server saw.
// Each Discovery here is a new run: a new client, nothing in memory, the same cache directory.
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, it } from "vitest";
import { KubeClient } from "../../src/kube/client.js";
import { diskDiscoveryCache, discoveryCacheTtlMs, serverCacheKey } from "../../src/kube/discovery-cache.js";
import { Discovery } from "../../src/kube/discovery.js";
import { startApiProxy, type ApiProxy } from "../support/api-proxy.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

const cacheRoot = mkdtempSync(join(tmpdir(), "slipway-discovery-cache-"));
afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

const isDiscovery = (path: string) => path === "/api" || path === "/apis";

describeWithCluster("discovery cached on disk", () => {
  const cluster = useCluster();
  const opened: Array<{ close: () => unknown }> = [];
  afterEach(async () => {
    for (const thing of opened.splice(0)) await thing.close();
  });

  /** A proxy that counts requests, and a way to start a "run" of the command line through it. */
  async function setUp(dir: string): Promise<{ proxy: ApiProxy; run: () => Promise<Discovery> }> {
    const ctx = await cluster();
    const proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: {} });
    opened.push(proxy);
    const run = async () => {
      const client = await KubeClient.fromKubeConfig({ kubeConfig: proxy.kubeConfig() });
      opened.push(client);
      return new Discovery(client, { cache: diskDiscoveryCache({ server: client.server, dir }) });
    };
    return { proxy, run };
  }

  const discoveryRequests = (proxy: ApiProxy) => proxy.seen.filter((req) => isDiscovery(req.path)).length;

  it("asks the server once, then a second run finds kinds without a discovery request", async () => {
    const dir = join(cacheRoot, "second-run");
    const { proxy, run } = await setUp(dir);

    const first = await run();
    expect(await first.find({ apiVersion: "apps/v1", kind: "Deployment" })).toMatchObject({ resource: "deployments", namespaced: true });
    expect(discoveryRequests(proxy)).toBe(2);

    const second = await run();
    expect(await second.find({ apiVersion: "apps/v1", kind: "Deployment" })).toMatchObject({ resource: "deployments", namespaced: true });
    expect(await second.find({ apiVersion: "v1", kind: "Namespace" })).toMatchObject({ resource: "namespaces", namespaced: false });
    expect(discoveryRequests(proxy)).toBe(2);
  });

  it("refreshes a cached discovery when a run meets a kind it does not know (a CRD created since), and keeps the refreshed one", async () => {
    const ctx = await cluster();
    const dir = join(cacheRoot, "unknown-kind");
    const { proxy, run } = await setUp(dir);
    await (await run()).find({ apiVersion: "v1", kind: "ConfigMap" });
    expect(discoveryRequests(proxy)).toBe(2);

    const group = `cache${Date.now().toString(36)}.example.com`;
    await ctx.store.apply(
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget" },
          versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
      },
      { fieldManager: "test-setup" },
    );
    const widget = { apiVersion: `${group}/v1`, kind: "Widget" };
    // The API server serves a new CRD's group shortly after creating it: poll with fresh runs, each of which must refresh.
    let found: Awaited<ReturnType<Discovery["find"]>>;
    let runs = 0;
    for (const started = Date.now(); Date.now() - started < 20_000; runs++) {
      found = await (await run()).find(widget);
      if (found) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found!).toMatchObject({ resource: "widgets", namespaced: true });
    expect(discoveryRequests(proxy)).toBe(2 + 2 * (runs + 1));

    // The refreshed discovery was written back: the next run knows the kind without asking.
    const before = discoveryRequests(proxy);
    expect(await (await run()).find(widget)).toMatchObject({ resource: "widgets" });
    expect(discoveryRequests(proxy)).toBe(before);
  });

  it("fetches again once the cache is older than kubectl's 6 hours", async () => {
    const dir = join(cacheRoot, "expired");
    const { proxy, run } = await setUp(dir);
    const first = await run();
    await first.find({ apiVersion: "v1", kind: "ConfigMap" });
    expect(discoveryRequests(proxy)).toBe(2);

    const file = join(dir, serverCacheKey(new URL(proxy.server)), "slipway-discovery.json");
    const old = (Date.now() - discoveryCacheTtlMs - 60_000) / 1000;
    utimesSync(file, old, old);
    await (await run()).find({ apiVersion: "v1", kind: "ConfigMap" });
    expect(discoveryRequests(proxy)).toBe(4);
  });
});
