// What the canary end-to-end tests share: the control plane with the Gateway API CRDs and a real
// Prometheus (once per file), and per test a namespace with two backends standing for the stable
// and canary pods (scraped by that Prometheus), an applier that holds canaried workloads back, a
// router that splits real requests by the HTTPRoute's weights, and a driver that ticks a canary
// as the server does.
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ApplyReport } from "../../../src/apply/types.js";
import { tickCanary, type CanaryRuntime } from "../../../src/canary/controller.js";
import { createPrometheusClient } from "../../../src/canary/metrics.js";
import { canaryHoldBack } from "../../../src/canary/prepare.js";
import { startCanaries } from "../../../src/canary/start.js";
import { readCanaryState } from "../../../src/canary/state-store.js";
import type { CanaryState } from "../../../src/canary/types.js";
import type { EnvironmentConfig } from "../../../src/config/schema.js";
import { canaryStateName } from "../../../src/desired/canary.js";
import type { KubeObject } from "../../../src/manifests/object.js";
import { ensureCanaryAssets } from "../../cluster/canary-assets.js";
import { applier } from "../../support/apply-env.js";
import { useCluster, type ClusterContext } from "../../support/cluster.js";
import { startBackend, type Backend } from "./backend.js";
import { installCanaryCrds } from "./crds.js";
import { startPrometheus, type PrometheusServer } from "./prometheus.js";
import { startRouter, type Router } from "./router.js";

/** Deployment/web reading ConfigMap web-config, its Service, and an HTTPRoute sending all traffic to it. */
export const webManifests = (image: string, level: string): Record<string, string> => ({
  "web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:${image}
          envFrom:
            - configMapRef: { name: web-config }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  level: "${level}"
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  parentRefs:
    - name: gateway
  rules:
    - backendRefs:
        - name: web
          port: 80
`,
});

export interface WebCanaryOptions {
  steps?: number[];
  interval?: string;
  promotion?: "auto" | "manual";
}

/** The `canary:` entry of Deployment/web, as a repository writes it. */
export const webCanary = (options: WebCanaryOptions = {}) => ({
  workload: "Deployment/web",
  service: "web",
  router: { type: "gateway-api", httpRoute: "web" },
  steps: options.steps ?? [20, 50],
  interval: options.interval ?? "2s",
  threshold: 2,
  minRequests: 10,
  promotion: options.promotion ?? "auto",
  metrics: { telemetry: "istio", successRate: { min: 95 }, latencyP99: { max: 500 } },
});

export function imageOf(deployment: KubeObject | undefined): string | undefined {
  const spec = deployment?.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}

/** Registers the file's hooks; call once inside the `describe`. */
export function useCanaryFixture() {
  const cluster = useCluster();
  let prometheus: PrometheusServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const { store } = await cluster();
    const assets = await ensureCanaryAssets({ log: (line) => process.stderr.write(`[canary] ${line}\n`) });
    await installCanaryCrds(store, assets);
    prometheus = await startPrometheus({ binary: assets.prometheus, scrapeIntervalSeconds: 1 });
  }, 20 * 60_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  /** The stable and canary backends of `namespace`, scraped by Prometheus until the test ends. */
  async function backends(namespace: string, options: { canaryErrorRate: number }): Promise<{ stable: Backend; canary: Backend }> {
    const stable = await startBackend({ workload: "web", namespace });
    const canary = await startBackend({ workload: "web-canary", namespace, service: "web-canary", errorRate: options.canaryErrorRate });
    cleanups.push(() => stable.stop(), () => canary.stop());
    await prometheus.setTargets([
      { address: stable.address, labels: { namespace, pod: "web-7d9f8-abcde" } },
      { address: canary.address, labels: { namespace, pod: "web-canary-7d9f8-abcde" } },
    ]);
    cleanups.push(() => prometheus.setTargets([]));
    return { stable, canary };
  }

  /** A namespace with the stable and canary backends scraped by Prometheus, and an applier that holds the canary back. */
  async function setUp(ctx: ClusterContext, options: { canaryErrorRate: number; environment?: Record<string, unknown> } & WebCanaryOptions) {
    const namespace = await ctx.namespace("canary");
    const applyFiles = applier(ctx, namespace, { canary: [webCanary(options)], ...options.environment });
    const { environment } = applyFiles;
    const { stable, canary } = await backends(namespace, options);
    const holdBack = canaryHoldBack({ store: ctx.store, environment })!;
    const apply = (files: Record<string, string>, commit: string): Promise<ApplyReport> => applyFiles(files, commit, { holdBack });
    /** What the server does after a clean apply: start the canaries it decided on. */
    const start = (report: ApplyReport, pullRequest?: number) =>
      startCanaries(ctx.store, report.canaries!, {
        environment: environment.name,
        namespace,
        stateNamespace: namespace,
        context: "test",
        repository: "acme/web",
        branch: "main",
        commit: report.commit,
        ...(pullRequest !== undefined ? { pullRequest } : {}),
        fieldManager: "slipway",
      });
    return { namespace, environment, stable, canary, apply, start };
  }

  /** A router sending 50 requests a second through the namespace's HTTPRoute `web`, until the test ends. */
  async function follow(ctx: ClusterContext, namespace: string, targets: { stable: Backend; canary: Backend }): Promise<Router> {
    const router = await startRouter({ store: ctx.store, route: { kind: "HTTPRoute", namespace, name: "web" }, backends: { web: targets.stable, "web-canary": targets.canary }, rate: 50 });
    cleanups.push(() => router.stop());
    return router;
  }

  /** Ticks the canary as the server does until it is final; records every weight the router saw. */
  async function drive(params: { ctx: ClusterContext; environment: EnvironmentConfig; router: Router; promote: () => Promise<void>; until?: (state: CanaryState) => boolean }) {
    const { ctx, environment } = params;
    const where = { namespace: environment.namespace, name: canaryStateName(environment.name, "web") };
    const seen: Array<{ phase: string; weight: number; routed: number | undefined; stableImage: string | undefined }> = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      const result = await tickCanary(runtime(ctx), { fieldManager: "slipway", promote: params.promote, pollMs: 250 }, where);
      const state = result?.state ?? (await readCanaryState(ctx.store, where))?.state;
      if (!state) throw new Error("the canary's state is gone");
      const stable = await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: environment.namespace, name: "web" });
      seen.push({ phase: state.phase, weight: state.weight, routed: params.router.weights()?.["web-canary"], stableImage: imageOf(stable) });
      if (result && result.nextTickMs === undefined) return { state, seen };
      if (params.until?.(state)) return { state, seen };
      if (Date.now() > deadline) throw new Error(`the canary did not finish in 120 s: ${state.phase} at ${state.weight} % — ${state.message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(result?.nextTickMs ?? 250, 1_000)));
    }
  }

  /** The cluster and the file's Prometheus, as a tick sees them. */
  const runtime = (ctx: ClusterContext): CanaryRuntime => ({ store: ctx.store, prometheus: createPrometheusClient(prometheus.url), scrapeIntervalMs: 1_000 });

  return { cluster, setUp, backends, follow, drive, prometheusUrl: () => prometheus.url, addCleanup: (cleanup: () => Promise<void>) => cleanups.push(cleanup) };
}
