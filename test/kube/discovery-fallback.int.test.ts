// Discovery against an API server that does not serve aggregated discovery. kube-apiserver
// v1.37 can no longer turn it off (its AggregatedDiscoveryEndpoint gate is gone: "unrecognized
// feature gate"), so a proxy takes the aggregated media types out of the Accept header of /api
// and /apis, and the real server answers as an older one does: with its legacy lists, whose
// group versions Slipway then reads from the real server one by one.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { KubeClient } from "../../src/kube/client.js";
import type { DiscoveryList } from "../../src/kube/discovery-list.js";
import { Discovery, DiscoveryFailedError } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import { startApiProxy, type ProxyRules } from "../support/api-proxy.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

const aggregatedOnly = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** An API server that does not know aggregated discovery answers /api and /apis in plain JSON. */
const withoutAggregatedDiscovery: ProxyRules = {
  headers: (req, headers) => (req.path === "/api" || req.path === "/apis" ? { ...headers, accept: "application/json" } : headers),
};

describeWithCluster("discovery without aggregated discovery", () => {
  const cluster = useCluster();

  it("falls back to the legacy endpoints and finds every kind aggregated discovery finds, the same way", async () => {
    const ctx = await cluster();
    const proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: withoutAggregatedDiscovery });
    const client = await KubeClient.fromKubeConfig({ kubeConfig: proxy.kubeConfig() });
    try {
      const legacy = new Discovery(client);
      const served = await servedKinds(ctx.client);
      expect(served.length).toBeGreaterThan(50);

      for (const ref of served) expect({ ref, mapping: await legacy.find(ref) }).toEqual({ ref, mapping: await ctx.store.discovery.find(ref) });

      const paths = proxy.seen.map((req) => req.path);
      expect(paths).toEqual(expect.arrayContaining(["/api", "/apis", "/api/v1", "/apis/apps/v1", "/apis/coordination.k8s.io/v1"]));
      // A version other than a group's preferred one is discovered too (autoscaling/v1 and v2).
      expect(await legacy.find({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler" })).toMatchObject({ resource: "horizontalpodautoscalers" });
      expect(await legacy.find({ apiVersion: "apps/v1", kind: "Scale" })).toBeUndefined();

      // And what is built on it works: a server-side apply through the proxy.
      const ns = await ctx.namespace("legacy");
      const store = new ObjectStore(client, legacy);
      const applied = await store.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "via-legacy", namespace: ns }, data: { a: "1" } }, { fieldManager: "slipway" });
      expect(applied.metadata.uid).toBeDefined();
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it("says a kind is unknown, not unserved, when its group version cannot be read (an aggregated API that is down)", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("apisvc");
    const group = `t${randomBytes(4).toString("hex")}.metrics.example.com`;
    const apiService = { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", name: `v1.${group}` };
    // Backed by a Service that does not exist: the aggregator answers its group version with 503.
    await ctx.store.apply(
      {
        apiVersion: apiService.apiVersion,
        kind: apiService.kind,
        metadata: { name: apiService.name },
        spec: { group, version: "v1", service: { namespace: ns, name: "nothing-here", port: 443 }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
      },
      { fieldManager: "test-setup" },
    );
    const proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: withoutAggregatedDiscovery });
    const client = await KubeClient.fromKubeConfig({ kubeConfig: proxy.kubeConfig(), options: { retries: 0 } });
    try {
      const legacy = new Discovery(client);

      const error = await legacy.find({ apiVersion: `${group}/v1`, kind: "NodeMetrics" }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DiscoveryFailedError);
      expect((error as Error).message).toMatch(new RegExp(`could not list the resources of ${group.replace(/\./g, "\\.")}/v1: .*503`));
      // The other groups were read all the same.
      expect(await legacy.find({ apiVersion: "v1", kind: "ConfigMap" })).toMatchObject({ resource: "configmaps", namespaced: true });
      expect(await legacy.find({ apiVersion: "v1", kind: "NoSuchKind" })).toBeUndefined();
    } finally {
      client.close();
      await proxy.close();
      await ctx.store.delete({ ...apiService });
    }
  });
});

/** Every apiVersion and kind the server's aggregated discovery lists. */
async function servedKinds(client: KubeClient): Promise<Array<{ apiVersion: string; kind: string }>> {
  const lists = await Promise.all(["/api", "/apis"].map(async (path) => (await client.request<DiscoveryList>({ method: "GET", path, accept: aggregatedOnly })).body));
  return lists.flatMap((list) =>
    (list.items ?? []).flatMap((group) =>
      (group.versions ?? []).flatMap((version) =>
        (version.resources ?? []).flatMap((resource) => {
          const name = group.metadata?.name ?? "";
          const kind = resource.responseKind?.kind;
          return kind ? [{ apiVersion: name ? `${name}/${version.version}` : version.version, kind }] : [];
        }),
      ),
    ),
  );
}
