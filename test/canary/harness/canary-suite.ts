// What the end-to-end canary tests share: a real Prometheus for the file, and per test a
// namespace with the web workload's manifests, a canary entry for it, backends standing for the
// stable and the canary pods (scraped by that Prometheus), a router that splits requests by the
// HTTPRoute's weights, and the server's loop of ticks, driven by the test.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { ApplyReport } from "../../../src/apply/types.js";
import { tickCanary, type CanaryRuntime } from "../../../src/canary/controller.js";
import { createPrometheusClient } from "../../../src/canary/metrics.js";
import { canaryHoldBack } from "../../../src/canary/prepare.js";
import { startCanaries } from "../../../src/canary/start.js";
import { readCanaryState } from "../../../src/canary/state-store.js";
import type { CanaryState } from "../../../src/canary/types.js";
import type { EnvironmentConfig } from "../../../src/config/schema.js";
import { canaryStateName } from "../../../src/desired/canary.js";
import { ensureCanaryAssets } from "../../cluster/canary-assets.js";
import { applier } from "../../support/apply-env.js";
import type { ClusterContext } from "../../support/cluster.js";
import { startBackend, type Backend, type Latency } from "./backend.js";
import { installCanaryCrds } from "./crds.js";
import { startPrometheus, type PrometheusServer } from "./prometheus.js";
import { startRouter, type Router } from "./router.js";
import { imageOf, webCanary, webManifests, type CanaryEntry } from "./workload.js";

export { imageOf, webCanary, webManifests, type CanaryEntry };

export interface CanarySetUpOptions {
  canaryErrorRate?: number;
  canaryLatency?: Latency;
  promotion?: "auto" | "manual";
  /** Replaces fields of the canary entry (steps [20, 50], interval 2s, threshold 2, minRequests 10, istio metrics). */
  canary?: Partial<CanaryEntry>;
  /** Replaces fields of the environment (its context, say). */
  environment?: Record<string, unknown>;
}

export interface DriveParams {
  ctx: ClusterContext;
  environment: EnvironmentConfig;
  router: Router;
  promote: () => Promise<void>;
  /** Stops driving after the tick whose state this holds for. */
  until?: (state: CanaryState) => boolean;
  timeoutMs?: number;
}

/** One tick as the test saw it: the state after it, the weight the router followed, the stable Deployment's image. */
export interface Seen {
  phase: string;
  weight: number;
  routed: number | undefined;
  stableImage: string | undefined;
}

const apiVersions = { Deployment: "apps/v1", ConfigMap: "v1", HTTPRoute: "gateway.networking.k8s.io/v1" } as const;

/** Registers the file's hooks (Prometheus, the CRDs, cleaning up after each test); call inside `describe`. */
export function useCanarySuite(cluster: () => Promise<ClusterContext>) {
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

  /** A namespace with the stable and canary backends scraped by Prometheus. */
  async function setUp(ctx: ClusterContext, options: CanarySetUpOptions = {}) {
    const namespace = await ctx.namespace("canary");
    const applyFiles = applier(ctx, namespace, {
      canary: [webCanary({ ...(options.promotion ? { promotion: options.promotion } : {}), ...options.canary })],
      ...options.environment,
    });
    const { environment } = applyFiles;
    const stable = await startBackend({ workload: "web", namespace });
    const canary = await startBackend({
      workload: "web-canary",
      namespace,
      service: "web-canary",
      errorRate: options.canaryErrorRate ?? 0,
      ...(options.canaryLatency !== undefined ? { latency: options.canaryLatency } : {}),
    });
    cleanups.push(() => stable.stop(), () => canary.stop());
    await prometheus.setTargets([
      { address: stable.address, labels: { namespace, pod: "web-7d9f8-abcde" } },
      { address: canary.address, labels: { namespace, pod: "web-canary-7d9f8-abcde" } },
    ]);
    cleanups.push(() => prometheus.setTargets([]));
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
    const live = (kind: "Deployment" | "ConfigMap" | "HTTPRoute", name: string) => ctx.store.get({ apiVersion: apiVersions[kind], kind, namespace, name });
    const where = { namespace, name: canaryStateName(environment.name, "web") };
    return { namespace, environment, stable, canary, apply, start, live, where };
  }

  /**
   * `setUp`, then merge 1 (web:1, level info) applied and a router following the route with
   * `routerRate` requests a second (default 50), all of them to stable.
   */
  async function running(ctx: ClusterContext, options: CanarySetUpOptions & { routerRate?: number } = {}) {
    const env = await setUp(ctx, options);
    const first = await env.apply(webManifests("1", "info"), "c1");
    expect(first.outcome, first.message).toBe("applied");
    const router = await follow(ctx, env.namespace, env, options.routerRate);
    await router.waitForWeights({ web: 1 });
    return { ...env, first, router };
  }

  /** A router following the HTTPRoute `web`, sending `rate` requests a second (default 50). */
  async function follow(ctx: ClusterContext, namespace: string, backends: { stable: Backend; canary: Backend }, rate = 50): Promise<Router> {
    const router = await startRouter({ store: ctx.store, route: { kind: "HTTPRoute", namespace, name: "web" }, backends: { web: backends.stable, "web-canary": backends.canary }, rate });
    cleanups.push(() => router.stop());
    return router;
  }

  /** Ticks the canary as the server does until it is final (or `until`); records every weight the router saw. */
  async function drive(params: DriveParams): Promise<{ state: CanaryState; seen: Seen[] }> {
    const { ctx, environment } = params;
    const where = { namespace: environment.namespace, name: canaryStateName(environment.name, "web") };
    const runtime: CanaryRuntime = { store: ctx.store, prometheus: createPrometheusClient(prometheus.url), scrapeIntervalMs: 1_000 };
    const seen: Seen[] = [];
    const timeoutMs = params.timeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await tickCanary(runtime, { fieldManager: "slipway", promote: params.promote, pollMs: 250 }, where);
      const state = result?.state ?? (await readCanaryState(ctx.store, where))?.state;
      if (!state) throw new Error("the canary's state is gone");
      const stable = await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: environment.namespace, name: "web" });
      seen.push({ phase: state.phase, weight: state.weight, routed: params.router.weights()?.["web-canary"], stableImage: imageOf(stable) });
      if (result && result.nextTickMs === undefined) return { state, seen };
      if (params.until?.(state)) return { state, seen };
      if (Date.now() > deadline) throw new Error(`the canary did not finish in ${timeoutMs / 1000} s: ${state.phase} at ${state.weight} % — ${state.message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(result?.nextTickMs ?? 250, 1_000)));
    }
  }

  return { setUp, running, follow, drive, prometheusUrl: () => prometheus.url, addCleanup: (cleanup: () => Promise<void>) => void cleanups.push(cleanup) };
}
