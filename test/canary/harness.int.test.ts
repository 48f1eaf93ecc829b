// Proves the canary test harness is made of real parts: the released Gateway API and Istio CRDs
// in the test control plane, a router that follows the weights of the route objects stored
// there, backends that emit Istio's and the app's metrics, and a real Prometheus answering
// the queries Flagger runs to judge a canary.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { KubeApiError } from "../../src/kube/errors.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { ensureCanaryAssets, type CanaryAssets } from "../cluster/canary-assets.js";
import { waitFor } from "../cluster/process.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";
import { startBackend, type Backend, type BackendOptions } from "./harness/backend.js";
import { crdFieldManager, installCanaryCrds, installFromFiles, readObjects } from "./harness/crds.js";
import { startPrometheus, type PrometheusServer } from "./harness/prometheus.js";
import { startRouter, type Router, type RouterOptions } from "./harness/router.js";

function httpRoute(namespace: string, backendRefs: Array<Record<string, unknown>>): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace },
    spec: { rules: [{ backendRefs }] },
  };
}

function virtualService(namespace: string, route: Array<Record<string, unknown>>): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "web", namespace },
    spec: { hosts: ["web"], http: [{ route }] },
  };
}

const backendRef = (name: string, weight?: number) => ({ name, port: 80, ...(weight === undefined ? {} : { weight }) });

/** Flagger's request-success-rate for Istio, in percent. */
const successRate = (namespace: string, workload: string, window: string) =>
  `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="${namespace}",destination_workload=~"${workload}",response_code!~"5.*"}[${window}]))` +
  ` / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="${namespace}",destination_workload=~"${workload}"}[${window}])) * 100`;

/** Flagger's request-duration for Istio: the 99th percentile in milliseconds. */
const latencyP99 = (namespace: string, workload: string, window: string) =>
  `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="${namespace}",destination_workload=~"${workload}"}[${window}])) by (le))`;

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeApiError);
  return error as KubeApiError;
}

/** The fields a manager owns under spec, as managedFields records them. */
function ownedSpec(object: KubeObject, manager: string): unknown {
  const entries = object.metadata.managedFields as Array<{ manager: string; fieldsV1?: { "f:spec"?: unknown } }> | undefined;
  return entries?.find((entry) => entry.manager === manager)?.fieldsV1?.["f:spec"];
}

const share = (router: Router, service: string) => {
  const counts = router.counts();
  const total = Object.values(counts).reduce((sum, entry) => sum + entry.requests, 0);
  return (counts[service]?.requests ?? 0) / total;
};

describeWithCluster("the canary test harness", () => {
  const cluster = useCluster();
  let assets: CanaryAssets;
  let prometheus: PrometheusServer | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const { store } = await cluster();
    const log = (line: string) => process.stderr.write(`[canary-harness] ${line}\n`);
    // Returns at once when `npm run cluster:assets` has run; the first build takes minutes.
    assets = await ensureCanaryAssets({ log });
    let started = Date.now();
    const crds = await installCanaryCrds(store, assets);
    log(`${crds.crds} CRDs ${crds.installed ? "installed" : "were there"}, Established, in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    started = Date.now();
    prometheus = await startPrometheus({ binary: assets.prometheus, log });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }, 20 * 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  const backend = async (options: BackendOptions): Promise<Backend> => {
    const started = await startBackend(options);
    cleanups.push(() => started.stop());
    return started;
  };
  const router = async (options: RouterOptions): Promise<Router> => {
    const started = await startRouter(options);
    cleanups.push(() => started.stop());
    return started;
  };
  const applyRoute = (store: ObjectStore, route: KubeObject) => store.apply(route, { fieldManager: "canary-test" });

  it("installs the released Gateway API and Istio CRDs, whose schemas validate routes and make their rule lists atomic", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("crds");
    const crdNames = [...assets.gatewayApiCrds, ...assets.istioCrds].flatMap(readObjects).map((crd) => crd.metadata.name);
    expect(crdNames).toEqual(
      expect.arrayContaining([
        "httproutes.gateway.networking.k8s.io",
        "gateways.gateway.networking.k8s.io",
        "gatewayclasses.gateway.networking.k8s.io",
        "virtualservices.networking.istio.io",
        "destinationrules.networking.istio.io",
      ]),
    );

    // Installing again changes nothing: the same manager applies the same bodies.
    const ref = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "httproutes.gateway.networking.k8s.io" };
    const before = await store.get(ref);
    const [again] = await installFromFiles(store, assets.gatewayApiCrds.filter((file) => file.endsWith("_httproutes.yaml")));
    expect(again?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(before?.metadata.managedFields).toContainEqual(expect.objectContaining({ manager: crdFieldManager, operation: "Apply" }));

    // A backendRef without a weight weighs 1: the CRD's default, filled in by the API server.
    const route = await applyRoute(store, httpRoute(ns, [backendRef("web", 100), backendRef("web-canary")]));
    expect((route.spec as { rules: Array<{ backendRefs: Array<{ weight: number }> }> }).rules[0]?.backendRefs.map((ref) => ref.weight)).toEqual([100, 1]);
    // Atomic lists: one manager owns spec.rules whole, weights included.
    expect(ownedSpec(route, "canary-test")).toEqual({ "f:rules": {} });
    // The CRDs' own validation: CEL rules and bounds.
    const noPort = await rejection(applyRoute(store, httpRoute(ns, [{ name: "web", weight: 1 }])));
    expect(noPort.message).toContain("Must have port for Service reference");
    const negative = await rejection(applyRoute(store, httpRoute(ns, [backendRef("web", -1)])));
    expect(negative.statusCode).toBe(422);

    const service = await applyRoute(store, virtualService(ns, [{ destination: { host: "web" }, weight: 90 }, { destination: { host: "web-canary" }, weight: 10 }]));
    expect(ownedSpec(service, "canary-test")).toEqual({ "f:hosts": {}, "f:http": {} });
    // A structural schema, not preserve-unknown-fields: a misspelt weight is refused.
    const typo = await rejection(applyRoute(store, virtualService(ns, [{ destination: { host: "web" }, wieght: 90 }])));
    expect(typo.message).toContain("wieght");
  });

  it("splits traffic by an HTTPRoute's weights and follows them as they change: 100/0, 50/50, 0/100", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("httproute");
    const stable = await backend({ workload: "web", namespace: ns });
    const canary = await backend({ workload: "web-canary", namespace: ns });
    await applyRoute(store, httpRoute(ns, [backendRef("web", 100), backendRef("web-canary", 0)]));
    const traffic = await router({ store, route: { kind: "HTTPRoute", namespace: ns, name: "web" }, backends: { web: stable, "web-canary": canary } });

    for (const [web, webCanary] of [[100, 0], [50, 50], [0, 100]] as const) {
      await applyRoute(store, httpRoute(ns, [backendRef("web", web), backendRef("web-canary", webCanary)]));
      await traffic.waitForWeights({ web, "web-canary": webCanary });
      traffic.resetCounts();
      await traffic.waitForRequests(100);

      expect(share(traffic, "web")).toBeCloseTo(web / 100, 1);
      expect(share(traffic, "web-canary")).toBeCloseTo(webCanary / 100, 1);
    }
    expect(canary.answered()["200"]).toBeGreaterThanOrEqual(100);
    expect(Object.keys(stable.answered())).toEqual(["200"]);
  });

  it("splits traffic by a VirtualService's weights, whatever form its hosts take, and answers 503 for a Service without a backend", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("vs");
    const stable = await backend({ workload: "web", namespace: ns });
    const canary = await backend({ workload: "web-canary", namespace: ns });
    await applyRoute(store, virtualService(ns, [
      { destination: { host: `web.${ns}.svc.cluster.local` }, weight: 80 },
      { destination: { host: `web-canary.${ns}` }, weight: 20 },
    ]));
    const traffic = await router({ store, route: { kind: "VirtualService", namespace: ns, name: "web" }, backends: { web: stable, "web-canary": canary } });
    await traffic.waitForWeights({ web: 80, "web-canary": 20 });
    traffic.resetCounts();
    await traffic.waitForRequests(100);
    expect(share(traffic, "web")).toBeCloseTo(0.8, 1);
    expect(share(traffic, "web-canary")).toBeCloseTo(0.2, 1);

    await applyRoute(store, virtualService(ns, [{ destination: { host: "web" }, weight: 50 }, { destination: { host: "web-preview" }, weight: 50 }]));
    await traffic.waitForWeights({ web: 50, "web-preview": 50 });
    traffic.resetCounts();
    await traffic.waitForRequests(100);
    const counts = traffic.counts();
    expect(share(traffic, "web-preview")).toBeCloseTo(0.5, 1);
    expect(Object.keys(counts["web-preview"]?.codes ?? {})).toEqual(["503"]);
    expect(Object.keys(counts.web?.codes ?? {})).toEqual(["200"]);
  });

  it("has Prometheus scrape targets it is given while it runs, with their namespace and pod labels", async () => {
    const { namespace } = await cluster();
    const ns = await namespace("targets");
    const [one, two] = [await backend({ workload: "web", namespace: ns }), await backend({ workload: "web-canary", namespace: ns })];
    const server = prometheus!;
    cleanups.push(() => server.setTargets([]));
    // Scraped and up: setTargets only waits until Prometheus knows of them.
    const up = (expected: Backend[]) =>
      waitFor({
        what: `Prometheus to scrape ${expected.map((b) => b.address).join(", ")} successfully`,
        timeoutMs: 5_000,
        probe: async () => {
          const targets = await server.activeTargets();
          const healthy = targets.filter((target) => target.health === "up").map((target) => target.scrapeUrl).sort();
          return JSON.stringify(healthy) === JSON.stringify(expected.map((b) => `${b.url}/metrics`).sort()) ? targets : undefined;
        },
      });

    await server.setTargets([{ address: one.address, labels: { namespace: ns, pod: "web-0" } }]);
    const [target] = await up([one]);
    expect(target?.labels).toMatchObject({ namespace: ns, pod: "web-0", job: "canary", instance: one.address });
    await server.setTargets([
      { address: one.address, labels: { namespace: ns, pod: "web-0" } },
      { address: two.address, labels: { namespace: ns, pod: "web-canary-0" } },
    ]);
    await up([one, two]);
    await server.setTargets([{ address: two.address, labels: { namespace: ns, pod: "web-canary-0" } }]);
    await up([two]);
    // The series of a target that went away end with a staleness marker: no more samples.
    await waitFor({
      what: "web-0's up series to go stale",
      timeoutMs: 5_000,
      probe: async () => ((await server.query(`up{namespace="${ns}",pod="web-0"}`)).length === 0 ? true : undefined),
    });
    expect(await server.query(`up{namespace="${ns}",pod="web-canary-0"}`)).toEqual([
      { metric: expect.objectContaining({ pod: "web-canary-0" }), value: 1 },
    ]);
  });

  it("answers Flagger's success-rate and latency queries with the error rate and latency the backends were given", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("metrics");
    const stable = await backend({ workload: "web", namespace: ns });
    const canary = await backend({ workload: "web-canary", namespace: ns, errorRate: 0.1, latency: 150 });
    const idle = await backend({ workload: "web-idle", namespace: ns });
    const server = prometheus!;
    cleanups.push(() => server.setTargets([]));
    await server.setTargets(
      [stable, canary, idle].map((b) => ({ address: b.address, labels: { namespace: ns, pod: `${b.workload}-6d4f8b7c9-x2x7q` } })),
    );
    await applyRoute(store, httpRoute(ns, [backendRef("web", 50), backendRef("web-canary", 50)]));
    await router({ store, route: { kind: "HTTPRoute", namespace: ns, name: "web" }, backends: { web: stable, "web-canary": canary } });

    // Polls a query until its single value is within `tolerance` of `expected`.
    const settlesAt = async (promql: string, expected: number, tolerance: number) => {
      let last: unknown;
      return waitFor({
        what: `${promql} ≈ ${expected} ± ${tolerance}`,
        timeoutMs: 30_000,
        intervalMs: 500,
        detail: () => `last result: ${JSON.stringify(last)}`,
        probe: async () => {
          const result = await server.query(promql);
          last = result;
          const value = result.length === 1 ? result[0]?.value : undefined;
          return value !== undefined && Math.abs(value - expected) <= tolerance ? value : undefined;
        },
      });
    };

    await settlesAt(successRate(ns, "web-canary", "10s"), 90, 2);
    await settlesAt(successRate(ns, "web", "10s"), 100, 0);
    // The 99th percentile falls in the bucket that holds the latency: (100, 250] ms for 150 ms.
    const canaryP99 = await settlesAt(latencyP99(ns, "web-canary", "10s"), 175, 75);
    expect(canaryP99).toBeGreaterThan(100);
    const stableP99 = (await server.query(latencyP99(ns, "web", "10s")))[0]?.value;
    expect(stableP99).toBeLessThan(100);
    // The app's own metrics, by the pod label the scrape target carries.
    const pods = `namespace="${ns}",pod=~"web-canary-.*"`;
    await settlesAt(`sum(rate(http_requests_total{${pods},code=~"5.."}[10s])) / sum(rate(http_requests_total{${pods}}[10s]))`, 0.1, 0.02);
    const appMedian = await settlesAt(`histogram_quantile(0.5, sum(rate(http_request_duration_seconds_bucket{${pods}}[10s])) by (le))`, 0.175, 0.075);
    expect(appMedian).toBeGreaterThan(0.1);
    // A workload that got no traffic has no series at all: Flagger sees no data, not 100%.
    expect(await server.query(successRate(ns, "web-idle", "10s"))).toEqual([]);

    // The error rate changes while traffic flows, and the query follows it.
    canary.setErrorRate(0.5);
    await settlesAt(successRate(ns, "web-canary", "5s"), 50, 3);
  });
});
