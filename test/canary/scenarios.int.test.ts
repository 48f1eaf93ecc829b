// Canary scenarios end to end (issue 7), against the same real parts as canary.int.test.ts (the
// control plane with its controllers, the Gateway API CRDs, a real Prometheus, a router splitting
// real requests by the HTTPRoute's weights between two backends whose errors and latency the test
// sets): a canary too slow is rolled back for its latency; one without traffic waits and never
// promotes; a query Prometheus refuses stops it before any traffic moves; a change of config
// alone is canaried on a copy; an abort at a step wins over a promote asked just before it.
// Checks run every second, so each scenario takes seconds.
import { ProbotOctokit } from "probot";
import { expect } from "vitest";
import { readCanaryState } from "../../src/canary/state-store.js";
import { CanaryService } from "../../src/github/canary.js";
import { parseCommand } from "../../src/github/commands.js";
import { developmentPolicy } from "../../src/config/policy.js";
import { configCopyName, revisionAnnotation } from "../../src/desired/canary.js";
import { configHashAnnotation } from "../../src/desired/stamp.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { renderCanaryCheckRun } from "../../src/render/canary.js";
import { describeWithCluster, itWithControllers, useCluster, type ClusterContext } from "../support/cluster.js";
import { imageOf, useCanarySuite, webManifests as manifests } from "./harness/canary-suite.js";
import { routeWeights, type Router } from "./harness/router.js";

const stableImage = "registry.example.com/web:1";
const noPromotion = () => Promise.reject(new Error("this canary must never be promoted"));

describeWithCluster("canary scenarios, end to end", () => {
  const cluster = useCluster();
  const { running, drive } = useCanarySuite(cluster);

  itWithControllers(
    "rolls back a canary whose p99 latency is above the threshold while its error rate is fine, and says so with the value and the query",
    async () => {
      const ctx = await cluster();
      const { environment, canary, apply, start, live, router } = await running(ctx, { canaryLatency: 700, canary: { interval: "1s" } });
      const second = await apply(manifests("2", "debug"), "c2");
      await start(second, 7);

      const { state, seen } = await drive({ ctx, environment, router, promote: noPromotion });

      expect(state.phase, state.message).toBe("failed");
      expect(state.failedChecks).toBe(2);
      expect(state.message).toMatch(/^Rolled back: latency-p99 \d+(\.\d+)? ms > 500 ms \(2 failed checks\)\.$/);
      // Traffic did reach the canary (at 20 %), and it never went further.
      expect(seen.some((entry) => entry.routed === 20)).toBe(true);
      expect(Math.max(...seen.map((entry) => entry.weight))).toBe(20);
      expect(seen.every((entry) => entry.stableImage === stableImage)).toBe(true);
      // Both failed checks failed on latency alone: the canary answered every request, in 700 ms.
      const failed = state.checks.filter((check) => check.verdict === "fail");
      expect(failed).toHaveLength(2);
      for (const check of failed) {
        expect(check.metrics.map((metric) => [metric.name, metric.verdict])).toEqual([["success-rate", "pass"], ["latency-p99", "fail"]]);
        const latency = check.metrics.find((metric) => metric.name === "latency-p99")!;
        expect(latency.value).toBeGreaterThan(500);
        expect(latency.query).toContain("istio_request_duration_milliseconds_bucket");
        expect(latency.query).toContain(`destination_workload="web-canary"`);
      }
      expect(canary.answered()).toEqual({ "200": expect.any(Number) as number });

      // The check run says why, with the value against its threshold and the query behind it.
      const latency = state.checks.at(-1)!.metrics.find((metric) => metric.name === "latency-p99")!;
      const run = renderCanaryCheckRun(state, state.config, { environment: environment.name, now: Date.now() });
      expect(run.conclusion).toBe("failure");
      expect(run.title).toMatch(/^Rolled back: latency-p99 \d+(\.\d+)? ms > 500 ms$/);
      expect(run.summary).toContain("| latency-p99 |");
      expect(run.summary).toContain(latency.query);

      // All traffic back to stable, the canary at zero, the stable pods and config as they were.
      await router.waitForWeights({ web: 1 });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect(imageOf(await live("Deployment", "web"))).toBe(stableImage);
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      // The revision is held: the same commit applied again does not start it over.
      const again = await apply(manifests("2", "debug"), "c2");
      expect(again.outcome, again.message).toBe("applied");
      expect(again.canaries?.map((decision) => decision.kind)).toEqual(["held"]);
    },
    120_000,
  );

  itWithControllers(
    "waits without traffic, or with too little: the weight stays, nothing is promoted or rolled back, and the state says why",
    async () => {
      const ctx = await cluster();
      // 5 requests a second: at 20 % the canary serves one a second, 4 or 5 in a check's 4 s window, 10 needed.
      const { environment, canary, apply, start, live, router } = await running(ctx, { canary: { interval: "1s" }, routerRate: 5 });
      await start(await apply(manifests("2", "debug"), "c2"), 7);

      const atStep = (state: { phase: string; stepIndex: number; weight: number; failedChecks: number }) =>
        state.phase === "progressing" && state.stepIndex === 0 && state.weight === 20 && state.failedChecks === 0;
      // Too little traffic: checks counted some requests, never enough.
      const low = await drive({
        ctx,
        environment,
        router,
        promote: noPromotion,
        until: (state) => state.checks.length >= 4 && (state.checks.at(-1)?.requests ?? 0) > 0,
        timeoutMs: 30_000,
      });
      expect(atStep(low.state), low.state.message).toBe(true);
      expect(low.state.checks.every((check) => check.verdict === "no-data" && check.weight === 20)).toBe(true);
      expect(low.state.noDataChecks).toBe(low.state.checks.length);
      const lowCheck = low.state.checks.at(-1)!;
      expect(lowCheck.requests).toBeLessThan(10);
      expect(low.state.message).toMatch(/^Waiting: too little traffic \(\d+ requests in the window, 10 needed\)\. The canary does not move on without data\.$/);
      for (const metric of lowCheck.metrics) expect(metric.message).toMatch(/^no traffic: \d+ requests in 4s, 10 needed$/);
      await router.waitForWeights({ web: 80, "web-canary": 20 });
      expect(canary.answered()["200"]).toBeGreaterThan(0);

      // Traffic stops: once the window holds none, checks say so; the canary still waits at 20 %.
      await router.stop();
      const stopped = await drive({
        ctx,
        environment,
        router,
        promote: noPromotion,
        until: (state) => state.checks.filter((check) => check.requests === 0).length >= 3,
        timeoutMs: 30_000,
      });
      const { state } = stopped;
      expect(atStep(state), state.message).toBe(true);
      expect(stopped.seen.every((entry) => entry.phase === "progressing" && entry.weight === 20)).toBe(true);
      expect(state.checks.every((check) => check.verdict === "no-data")).toBe(true);
      expect(state.message).toBe("Waiting: no traffic reached the canary. The canary does not move on without data.");
      const last = state.checks.at(-1)!;
      expect(last.requests).toBe(0);
      expect(last.metrics.map((metric) => [metric.name, metric.value, metric.message])).toEqual([
        ["success-rate", null, "no traffic: 0 requests in 4s, 10 needed"],
        ["latency-p99", null, "no traffic: 0 requests in 4s, 10 needed"],
      ]);
      expect(last.metrics.every((metric) => metric.query.includes(`destination_workload="web-canary"`))).toBe(true);

      // The check run says it is waiting for traffic, and shows the queries it asked.
      const run = renderCanaryCheckRun(state, state.config, { environment: environment.name, now: Date.now() });
      expect(run.status).toBe("in_progress");
      expect(run.title).toMatch(/waiting for traffic/);
      expect(run.summary).toContain("no traffic: 0 requests in 4s, 10 needed");
      for (const metric of last.metrics) expect(run.summary).toContain(metric.query);

      // The route still holds 20 %, the canary its pods, the stable its revision.
      expect(routeWeights((await live("HTTPRoute", "web"))!)).toEqual({ web: 80, "web-canary": 20 });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 2 });
      expect(imageOf(await live("Deployment", "web"))).toBe(stableImage);
    },
    120_000,
  );

  itWithControllers(
    "stops in preflight on a query Prometheus refuses, before the route's weights ever leave 100/0, with the query and Prometheus's error",
    async () => {
      const ctx = await cluster();
      const brokenQuery = `max(queue_depth{namespace="{{namespace}}",pod=~"{{canary}}-.*"}`;
      const { namespace, environment, canary, apply, start, live, router } = await running(ctx, {
        canary: { interval: "1s", metrics: { telemetry: "istio", successRate: { min: 95 }, latencyP99: { max: 500 }, custom: [{ name: "queue-depth", query: brokenQuery, max: 100 }] } },
      });
      const routeBefore = await live("HTTPRoute", "web");
      const watch = watchCanaryWeight(router);
      await start(await apply(manifests("2", "debug"), "c2"), 7);

      const { state, seen } = await drive({ ctx, environment, router, promote: noPromotion });
      const maxRouted = await watch.stop();

      expect(state.phase, state.message).toBe("failed");
      expect(seen.map((entry) => entry.phase)).not.toContain("progressing");
      expect(seen.every((entry) => entry.weight === 0)).toBe(true);
      // Never a request to the canary: the route was never written (its generation is the same).
      expect(maxRouted).toBe(0);
      expect(canary.answered()).toEqual({});
      const routeAfter = await live("HTTPRoute", "web");
      expect(routeAfter?.metadata.generation).toBe(routeBefore?.metadata.generation);
      expect(routeAfter?.spec).toEqual(routeBefore?.spec);

      // The state names the metric, Prometheus's own error, and the query as sent.
      const sent = `max(queue_depth{namespace="${namespace}",pod=~"web-canary-.*"}`;
      expect(state.message).toMatch(/^Stopped before any traffic moved: queue-depth: Prometheus at http:\/\/127\.0\.0\.1:\d+ answered 400 \(bad_data\): .*parse error/);
      const failing = state.checks.at(-1)?.metrics.find((metric) => metric.name === "queue-depth");
      expect(failing).toMatchObject({ query: sent, verdict: "error", value: null });
      expect(failing?.message).toMatch(/answered 400 \(bad_data\): .*parse error/);
      expect(state.checks.at(-1)?.weight).toBe(0);
      const run = renderCanaryCheckRun(state, state.config, { environment: environment.name, now: Date.now() });
      expect(run.conclusion).toBe("failure");
      expect(run.title).toMatch(/^Stopped before any traffic moved: queue-depth/);
      expect(run.summary).toContain(sent);
      expect(run.summary).toContain("bad\\_data");

      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect(imageOf(await live("Deployment", "web"))).toBe(stableImage);
      await router.waitForWeights({ web: 1 });
    },
    120_000,
  );

  itWithControllers(
    "canaries a change of config alone on a per-revision copy, and gives the original ConfigMap the new data only at promotion",
    async () => {
      const ctx = await cluster();
      const { namespace, environment, apply, start, live, router } = await running(ctx, { canary: { interval: "1s" } });
      const stableBefore = await live("Deployment", "web");

      // Same image, new config.
      const second = await apply(manifests("1", "debug"), "c2");
      expect(second.outcome, second.message).toBe("applied");
      const [decision] = second.canaries ?? [];
      expect(decision?.kind).toBe("start");
      await start(second, 7);
      const copyName = configCopyName("web-config", decision!.revision);
      expect((await live("ConfigMap", copyName))?.data).toEqual({ level: "debug" });
      const canaryDeployment = await live("Deployment", "web-canary");
      expect(imageOf(canaryDeployment)).toBe(stableImage);
      expect(configMapsReadBy(canaryDeployment)).toEqual([copyName]);

      let promotions = 0;
      const whileCanaried: Array<{ template: unknown; config: unknown; canaryPods: string[][] }> = [];
      const { state, seen } = await drive({
        ctx,
        environment,
        router,
        promote: async () => {
          promotions += 1;
          // Up to here the stable side ran as before: its template and the ConfigMap it reads.
          whileCanaried.push({
            template: templateOf(await live("Deployment", "web")),
            config: (await live("ConfigMap", "web-config"))?.data,
            canaryPods: (await podsOf(ctx, namespace, "web-canary")).map(configMapsReadByPod),
          });
          const promotion = await apply(manifests("1", "debug"), "c2");
          expect(promotion.canaries?.map((made) => made.kind)).toEqual(["promote"]);
        },
      });

      expect(state.phase, state.message).toBe("succeeded");
      expect(promotions).toBe(1);
      expect([...new Set(seen.filter((entry) => entry.phase === "progressing").map((entry) => entry.weight))]).toEqual([20, 50]);
      const [before] = whileCanaried;
      expect(before?.template).toEqual(templateOf(stableBefore));
      expect(before?.config).toEqual({ level: "info" });
      // The canary's pods (made by the real ReplicaSet controller) read the copy, not the original.
      expect(before?.canaryPods.length).toBeGreaterThan(0);
      expect(before?.canaryPods.every((names) => JSON.stringify(names) === JSON.stringify([copyName]))).toBe(true);

      // Promoted: the original ConfigMap has the new data, the stable pods roll for it, the copy is gone.
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "debug" });
      const promoted = await live("Deployment", "web");
      expect(promoted?.metadata.annotations?.[revisionAnnotation]).toBe(decision?.revision);
      expect(imageOf(promoted)).toBe(stableImage);
      expect(configMapsReadBy(promoted)).toEqual(["web-config"]);
      expect(templateAnnotation(promoted, configHashAnnotation)).not.toBe(templateAnnotation(stableBefore, configHashAnnotation));
      expect(await live("ConfigMap", copyName)).toBeUndefined();
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      await router.waitForWeights({ web: 1 });
    },
    120_000,
  );

  itWithControllers(
    "aborts at 20 % through the pull request's /canary abort, which wins over a /canary promote --full asked just before it",
    async () => {
      const ctx = await cluster();
      const { environment, apply, start, live, where, router } = await running(ctx, { canary: { interval: "1s", steps: [20, 50, 80] } });
      await start(await apply(manifests("2", "debug"), "c2"), 7);

      const atStep = await drive({ ctx, environment, router, promote: noPromotion, until: (state) => state.phase === "progressing" && state.weight === 20 });
      expect(atStep.state.weight).toBe(20);
      await router.waitForWeights({ web: 80, "web-canary": 20 });

      // Comments on pull request #7, as the GitHub handler passes them on; ticks are the test's to drive.
      const queue = new WorkQueue({ concurrency: { plan: 0, apply: 0, canary: 0 } });
      const service = new CanaryService({
        queue,
        clusters: { access: () => Promise.resolve({ store: ctx.store, context: "test" }) },
        policy: developmentPolicy("test"),
        fieldManager: "slipway",
        installationClient: () => Promise.reject(new Error("a command needs no installation client")),
        applyEnvironment: () => {
          throw new Error("neither promote nor abort applies the branch");
        },
        log: { info: () => undefined, warn: (message) => expect.fail(message) },
      });
      const comment = async (body: string, id: string) => {
        const command = parseCommand(body);
        if (command?.kind !== "canary") throw new Error(`not a canary command: ${body}`);
        return service.command({
          octokit: offlineOctokit(),
          repo: { owner: "acme", repo: "web" },
          installation: 1,
          environments: [{ environment: { ...environment, context: "test" } }],
          verb: command.verb,
          full: command.full,
          target: { pullRequest: 7, mergeCommit: "c2" },
          by: "alice",
          via: "pull request comment",
          id,
        });
      };
      expect((await comment("/canary promote --full", "comment-1"))?.changed).toBe(true);
      expect((await comment("/canary abort", "comment-2"))?.changed).toBe(true);
      // Each command asked for a tick (one job per canary: the second joined the first).
      expect(queue.stats("canary").waiting).toBe(1);
      expect((await readState(ctx, where))).toMatchObject({ promoteRequested: "full", abortRequested: true, phase: "progressing", weight: 20 });

      const { state, seen } = await drive({ ctx, environment, router, promote: noPromotion });
      expect(state.phase, state.message).toBe("aborted");
      expect(state.message).toBe("Aborted: all traffic back to stable.");
      expect(state.promoteRequested).toBeUndefined();
      expect(seen.map((entry) => entry.phase)).not.toContain("promoting");
      // It never went past 20 %; from the abort on, the state and the route said 0 %.
      expect(Math.max(...[...atStep.seen, ...seen].map((entry) => Math.max(entry.weight, entry.routed ?? 0)))).toBe(20);
      expect(seen.every((entry) => entry.weight === 0)).toBe(true);
      expect(state.events.filter((event) => event.via === "pull request comment").map((event) => [event.by, event.what])).toEqual([
        ["alice", "/canary promote --full"],
        ["alice", "/canary abort"],
      ]);
      const run = renderCanaryCheckRun(state, state.config, { environment: environment.name, now: Date.now() });
      expect(run.conclusion).toBe("cancelled");
      expect(run.title).toBe("Aborted by alice: all traffic back to the stable Deployment");

      await router.waitForWeights({ web: 1 });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect(imageOf(await live("Deployment", "web"))).toBe(stableImage);
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      // A promote after the abort is refused: the canary is final.
      expect((await comment("/canary promote", "comment-3"))?.changed).toBe(false);
      await queue.shutdown({ deadlineMs: 0 });
    },
    120_000,
  );
});

/** The highest canary weight the router read while watching (it reads the route every 200 ms). */
function watchCanaryWeight(router: Router): { stop: () => Promise<number> } {
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, router.weights()?.["web-canary"] ?? 0)), 20);
  return {
    stop: async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(timer);
      return max;
    },
  };
}

async function readState(ctx: ClusterContext, where: { namespace: string; name: string }) {
  return (await readCanaryState(ctx.store, where))?.state;
}

/** An Octokit that fails any request: a command answers with its reply, and GitHub is the caller's. */
function offlineOctokit() {
  return new ProbotOctokit({ request: { fetch: () => Promise.reject(new Error("a canary command sent a request to GitHub")) } });
}

const podsOf = (ctx: ClusterContext, namespace: string, app: string) => ctx.store.list({ apiVersion: "v1", kind: "Pod", namespace, labelSelector: `app=${app}` });

const templateOf = (deployment: KubeObject | undefined): KubeObject | undefined => (deployment?.spec as { template?: KubeObject } | undefined)?.template;

function configMapsReadBy(deployment: KubeObject | undefined): string[] {
  const template = templateOf(deployment);
  return template ? configMapsReadByPod(template) : [];
}

function configMapsReadByPod(pod: KubeObject): string[] {
  const spec = pod.spec as { containers?: Array<{ envFrom?: Array<{ configMapRef?: { name: string } }> }> } | undefined;
  return (spec?.containers ?? []).flatMap((container) => (container.envFrom ?? []).flatMap((source) => (source.configMapRef ? [source.configMapRef.name] : [])));
}

function templateAnnotation(deployment: KubeObject | undefined, name: string): string | undefined {
  const spec = deployment?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.annotations?.[name];
}
