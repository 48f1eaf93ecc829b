// A canary end to end, against the real control plane (with its controllers, so Deployments roll
// out), the released Gateway API CRDs, a real Prometheus, and a router that splits real requests
// by the HTTPRoute's weights between two backends standing for the stable and the canary pods:
//   merge 1 applies the workload; merge 2 changes its image and its ConfigMap, and its apply
//   holds the stable Deployment, the ConfigMap and the route back and starts a canary; the
//   controller's ticks move traffic 20 % → 50 % while Prometheus says the canary is healthy,
//   promote it (an apply in which the stable Deployment takes the revision), and give the route
//   back to Git — or roll it back when the canary fails, the stable pods never touched.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { ApplyReport } from "../../src/apply/types.js";
import { tickCanary, type CanaryRuntime } from "../../src/canary/controller.js";
import { createPrometheusClient } from "../../src/canary/metrics.js";
import { canaryHoldBack } from "../../src/canary/prepare.js";
import { startCanaries } from "../../src/canary/start.js";
import { readCanaryState } from "../../src/canary/state-store.js";
import type { CanaryState } from "../../src/canary/types.js";
import type { EnvironmentConfig } from "../../src/config/schema.js";
import { applier } from "../support/apply-env.js";
import { canaryStateName, revisionAnnotation } from "../../src/desired/canary.js";
import { promotedRevisions } from "../../src/desired/promoted-revisions.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { ensureCanaryAssets } from "../cluster/canary-assets.js";
import { describeWithCluster, itWithControllers, useCluster, type ClusterContext } from "../support/cluster.js";
import { startBackend, type Backend } from "./harness/backend.js";
import { installCanaryCrds } from "./harness/crds.js";
import { startPrometheus, type PrometheusServer } from "./harness/prometheus.js";
import { startRouter, type Router } from "./harness/router.js";

const manifests = (image: string, level: string): Record<string, string> => ({
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

describeWithCluster("a canary, end to end", () => {
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

  /** A namespace with the stable and canary backends scraped by Prometheus, and a router following the route. */
  async function setUp(ctx: ClusterContext, options: { canaryErrorRate: number; promotion?: "auto" | "manual" }) {
    const namespace = await ctx.namespace("canary");
    const applyFiles = applier(ctx, namespace, {
      canary: [
        {
          workload: "Deployment/web",
          service: "web",
          router: { type: "gateway-api", httpRoute: "web" },
          steps: [20, 50],
          interval: "2s",
          threshold: 2,
          minRequests: 10,
          promotion: options.promotion ?? "auto",
          metrics: { telemetry: "istio", successRate: { min: 95 }, latencyP99: { max: 500 } },
        },
      ],
    });
    const { environment } = applyFiles;
    const stable = await startBackend({ workload: "web", namespace });
    const canary = await startBackend({ workload: "web-canary", namespace, service: "web-canary", errorRate: options.canaryErrorRate });
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
    return { namespace, environment, stable, canary, apply, start };
  }

  async function follow(ctx: ClusterContext, namespace: string, backends: { stable: Backend; canary: Backend }): Promise<Router> {
    const router = await startRouter({ store: ctx.store, route: { kind: "HTTPRoute", namespace, name: "web" }, backends: { web: backends.stable, "web-canary": backends.canary }, rate: 50 });
    cleanups.push(() => router.stop());
    return router;
  }

  /** Ticks the canary as the server does until it is final; records every weight the router saw. */
  async function drive(params: { ctx: ClusterContext; environment: EnvironmentConfig; router: Router; promote: () => Promise<void>; until?: (state: CanaryState) => boolean }) {
    const { ctx, environment } = params;
    const where = { namespace: environment.namespace, name: canaryStateName(environment.name, "web") };
    const runtime: CanaryRuntime = { store: ctx.store, prometheus: createPrometheusClient(prometheus.url), scrapeIntervalMs: 1_000 };
    const seen: Array<{ phase: string; weight: number; routed: number | undefined; stableImage: string | undefined }> = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      const result = await tickCanary(runtime, { fieldManager: "slipway", promote: params.promote, pollMs: 250 }, where);
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

  itWithControllers(
    "moves traffic step by step while Prometheus says the canary is healthy, keeps the stable pods and config as they were, and promotes",
    async () => {
      const ctx = await cluster();
      const { namespace, environment, stable, canary, apply, start } = await setUp(ctx, { canaryErrorRate: 0 });
      const first = await apply(manifests("1", "info"), "c1");
      expect(first.outcome).toBe("applied");
      expect(first.canaries?.map((decision) => decision.kind)).toEqual(["none"]);
      const router = await follow(ctx, namespace, { stable, canary });
      await router.waitForWeights({ web: 1 });

      // Merge 2: a new image and a config change. The stable side keeps what runs.
      const second = await apply(manifests("2", "debug"), "c2");
      expect(second.outcome).toBe("applied");
      const [decision] = second.canaries ?? [];
      expect(decision?.kind).toBe("start");
      const live = async (kind: string, name: string) => ctx.store.get({ apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, namespace, name });
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      const started = await start(second, 7);
      expect(started.map((canaryStarted) => canaryStarted.state.phase)).toEqual(["starting"]);
      const copyName = `web-config-canary-${decision!.revision.slice(0, 8)}`;
      expect((await live("ConfigMap", copyName))?.data).toEqual({ level: "debug" });
      const canaryDeployment = await live("Deployment", "web-canary");
      expect(imageOf(canaryDeployment)).toBe("registry.example.com/web:2");
      expect(canaryDeployment?.spec).toMatchObject({ selector: { matchLabels: { app: "web-canary" } } });

      let promotions = 0;
      const { state, seen } = await drive({
        ctx,
        environment,
        router,
        promote: async () => {
          promotions += 1;
          const promotion = await apply(manifests("2", "debug"), "c2");
          expect(promotion.canaries?.map((made) => made.kind)).toEqual(["promote"]);
        },
      });

      expect(state.phase, state.message).toBe("succeeded");
      expect(promotions).toBe(1);
      // Traffic went to the canary at 20 % and at 50 %, and the stable image did not change until promotion.
      const weights = [...new Set(seen.filter((entry) => entry.phase === "progressing").map((entry) => entry.weight))];
      expect(weights).toEqual([20, 50]);
      expect(seen.filter((entry) => entry.phase === "progressing").every((entry) => entry.stableImage === "registry.example.com/web:1")).toBe(true);
      expect(seen.some((entry) => entry.routed === 50)).toBe(true);
      expect(state.checks.filter((check) => check.verdict === "pass").length).toBeGreaterThanOrEqual(2);
      expect(canary.answered()["200"]).toBeGreaterThan(20);

      // Promoted: the stable Deployment runs the revision and reads the new config; the canary is at zero.
      const promoted = await live("Deployment", "web");
      expect(imageOf(promoted)).toBe("registry.example.com/web:2");
      expect(promoted?.metadata.annotations?.[revisionAnnotation]).toBe(decision?.revision);
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "debug" });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect(await live("ConfigMap", copyName)).toBeUndefined();
      await router.waitForWeights({ web: 1 });

      // The route is Git's again: the next apply of Git's route, without force, succeeds.
      const after = await apply(manifests("2", "debug"), "c3");
      expect(after.outcome, after.message).toBe("applied");
      expect(after.canaries?.map((made) => made.kind)).toEqual(["none"]);

      // A revert to merge 1's revision, which ran with all traffic before: promoted at once, no steps, no checks.
      const promotedList = promotedRevisions(await live("Deployment", "web"));
      expect(promotedList.map((entry) => entry.revision)).toEqual([decision!.revision, first.canaries![0]!.revision]);
      const revert = await apply(manifests("1", "info"), "c4");
      expect(revert.outcome, revert.message).toBe("applied");
      const [reverted] = revert.canaries ?? [];
      expect(reverted).toMatchObject({ kind: "revert", revision: first.canaries![0]!.revision, promotedAt: promotedList[1]!.at });
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      const revertStarted = await start(revert, 8);
      expect(revertStarted.map((made) => [made.state.phase, made.state.revert])).toEqual([["promoting", { promotedAt: promotedList[1]!.at }]]);
      let revertPromotions = 0;
      const reverting = await drive({
        ctx,
        environment,
        router,
        promote: () => {
          revertPromotions += 1;
          return Promise.resolve();
        },
      });
      expect(reverting.state.phase, reverting.state.message).toBe("succeeded");
      expect(revertPromotions).toBe(0);
      expect(reverting.state.checks).toEqual([]);
      expect(reverting.seen.every((entry) => entry.weight === 0 && entry.stableImage === "registry.example.com/web:1")).toBe(true);
      expect(promotedRevisions(await live("Deployment", "web")).map((entry) => entry.revision)).toEqual([first.canaries![0]!.revision, decision!.revision]);
      await router.waitForWeights({ web: 1 });
    },
    240_000,
  );

  itWithControllers(
    "rolls a failing canary back: all traffic to the stable pods, which never changed, and the revision is held",
    async () => {
      const ctx = await cluster();
      const { namespace, environment, stable, canary, apply, start } = await setUp(ctx, { canaryErrorRate: 0.5 });
      expect((await apply(manifests("1", "info"), "c1")).outcome).toBe("applied");
      const router = await follow(ctx, namespace, { stable, canary });
      const second = await apply(manifests("2", "debug"), "c2");
      await start(second);
      let promotions = 0;
      const { state, seen } = await drive({ ctx, environment, router, promote: () => {
        promotions += 1;
        return Promise.resolve();
      },
    });

      expect(state.phase, state.message).toBe("failed");
      expect(promotions).toBe(0);
      expect(state.message).toMatch(/^Rolled back: success-rate \d+(\.\d+)? % < 95 %/);
      expect(state.failedChecks).toBe(2);
      expect(seen.every((entry) => entry.stableImage === "registry.example.com/web:1")).toBe(true);
      await router.waitForWeights({ web: 1 });
      const live = (kind: string, name: string) => ctx.store.get({ apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, namespace, name });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });

      // The same commit applied again (a reconcile, a re-run) does not start it over.
      const again = await apply(manifests("2", "debug"), "c2");
      expect(again.outcome, again.message).toBe("applied");
      expect(again.canaries?.map((decision) => decision.kind)).toEqual(["held"]);
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
    },
    240_000,
  );
});

function imageOf(deployment: KubeObject | undefined): string | undefined {
  const spec = deployment?.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}
