// Canary scenarios of issue 7 around the server's side of a canary, on the real control plane with
// the Gateway API CRDs, a real Prometheus and real traffic split by the HTTPRoute's weights, with
// CanaryService instances standing for Slipway servers and nock for GitHub:
//   - a second merge mid-canary supersedes the first;
//   - a server dropped mid-step, and a new one started, resumes the canary through the reconcile;
//   - two servers ticking one canary move it once per transition.
import { expect } from "vitest";
import { configCopyName, revisionAnnotation } from "../../src/desired/canary.js";
import { reconcileOnce } from "../../src/github/reconcile.js";
import { describeWithCluster, itWithControllers, useCluster, type ClusterContext } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { createTestProbot } from "../support/github/probot.js";
import { interceptConfig } from "../support/github/pull-request-fixture.js";
import { imageOf, useCanarySuite, webCanary, webManifests, type CanaryEntry } from "./harness/canary-suite.js";
import { canaryPolicy, changes, granted, interceptCheckRuns, recordStates, startCanaryServer, testContext, testOctokit, waitForState, type CanaryServer } from "./harness/canary-server.js";
import type { Router } from "./harness/router.js";

const repository = { owner: "acme", repo: "web" };
const installation = 4242;
const intervalMs = 1_000;

describeWithCluster("canary scenarios: supersede, restart, replicas", () => {
  const cluster = useCluster();
  const fixture = useCanarySuite(cluster);

  /**
   * Merge 1 applied, the router following the route, GitHub's check runs answered, and `merge`
   * doing what the server does on a merge: apply, then start the canaries it decided on — on the
   * server `serve()` names at the time (a promotion goes to the server whose tick promoted).
   */
  async function scenario(ctx: ClusterContext, canary: Partial<CanaryEntry> = {}) {
    const env = await fixture.running(ctx, { canary: { interval: `${intervalMs / 1000}s`, ...canary }, environment: { context: testContext } });
    const { environment, router } = env;
    const github = mockGitHub();
    const checkRuns = interceptCheckRuns(github, repository);
    const octokit = testOctokit();
    const policy = canaryPolicy(fixture.prometheusUrl());
    let head = { files: webManifests("1", "info"), commit: "c1" };
    const promotions: string[] = [];
    const servers: CanaryServer[] = [];
    const merge = async (server: CanaryServer, files: Record<string, string>, commit: string, pullRequest?: number) => {
      head = { files, commit };
      const report = await env.apply(files, commit);
      expect(report.outcome, report.message).toBe("applied");
      await server.service.started({ octokit, repo: repository, installation, granted: granted(environment), branch: "main", commit, ...(pullRequest !== undefined ? { pullRequest } : {}), decisions: report.canaries ?? [] });
      return report;
    };
    const startServer = (): CanaryServer => {
      const server: CanaryServer = startCanaryServer({
        policy,
        octokit,
        // Promotion: an apply of the branch's head, on the server that promoted.
        applyEnvironment: () => {
          promotions.push(head.commit);
          void merge(server, head.files, head.commit).catch((error: unknown) => process.stderr.write(`promotion failed: ${String(error)}\n`));
        },
      });
      servers.push(server);
      fixture.addCleanup(() => server.stop());
      return server;
    };
    return { ...env, router, github, checkRuns, merge, startServer, promotions };
  }

  itWithControllers(
    "a second merge mid-canary supersedes it: its check run is closed as superseded, the new revision starts from the first step, the old copies go",
    async () => {
      const ctx = await cluster();
      const { router, checkRuns, merge, startServer, where, live, promotions } = await scenario(ctx, { steps: [20, 50] });
      const server = startServer();
      const first = (await merge(server, webManifests("2", "debug"), "c2", 7)).canaries?.[0];
      expect(first?.kind).toBe("start");
      const oldCopy = configCopyName("web-config", first!.revision);
      expect((await live("ConfigMap", oldCopy))?.data).toEqual({ level: "debug" });
      await waitForState(ctx.store, where, (state) => state.phase === "progressing" && state.weight === 20);
      await router.waitForWeights({ web: 80, "web-canary": 20 });
      const [oldRun] = checkRuns();
      expect(oldRun).toMatchObject({ method: "POST", status: "in_progress" });

      // Merge 3 while revision 2 holds 20 % of the traffic.
      const recording = recordStates(ctx.store, where);
      const second = (await merge(server, webManifests("3", "trace"), "c3", 8)).canaries?.[0];
      expect(second?.kind).toBe("start");
      expect(second?.revision).not.toBe(first?.revision);

      // The canary Deployment reads revision 3's copy; revision 2's is gone.
      const canaryDeployment = await live("Deployment", "web-canary");
      expect(imageOf(canaryDeployment)).toBe("registry.example.com/web:3");
      expect(JSON.stringify(canaryDeployment?.spec)).toContain(configCopyName("web-config", second!.revision));
      expect(await live("ConfigMap", oldCopy)).toBeUndefined();

      // Revision 2's check run is closed as superseded, by an update of its own run.
      const closed = checkRuns().filter((request) => request.id === oldRun!.id && request.conclusion !== undefined);
      expect(closed).toEqual([expect.objectContaining({ method: "PATCH", status: "completed", conclusion: "neutral" })]);
      expect(closed[0]?.title).toMatch(/superseded/i);

      const final = await waitForState(ctx.store, where, (state) => state.phase === "succeeded", 90_000);
      const states = await recording.stop();
      expect(promotions).toEqual(["c3"]);

      // Revision 3 started over: no traffic until its pods were ready, then 20 % and 50 %.
      const revision3 = states.filter((state) => state.revision === second!.revision);
      expect(revision3[0]).toMatchObject({ phase: "starting", stepIndex: 0, weight: 0, commit: "c3", pullRequest: 8 });
      expect(changes(revision3.filter((state) => state.phase === "progressing").map((state) => state.weight))).toEqual([20, 50]);
      expect(final.checks.every((check) => Date.parse(check.at) >= Date.parse(revision3[0]!.phaseSince))).toBe(true);
      expect(final.events.map((event) => event.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^Revision [0-9a-f]+ superseded before it finished \(progressing at 20 %\)/)]));
      // It has a check run of its own, on its commit, that ends in success.
      const newRuns = checkRuns().filter((request) => request.id !== oldRun!.id);
      expect(newRuns.filter((request) => request.method === "POST")).toHaveLength(1);
      expect(newRuns.at(-1)).toMatchObject({ status: "completed", conclusion: "success" });

      // The stable Deployment takes revision 3 (never revision 2), reads revision 3's config, and no copy is left.
      const stable = await live("Deployment", "web");
      expect(imageOf(stable)).toBe("registry.example.com/web:3");
      expect(stable?.metadata.annotations?.[revisionAnnotation]).toBe(second?.revision);
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "trace" });
      expect(await live("ConfigMap", configCopyName("web-config", second!.revision))).toBeUndefined();
      expect(await live("ConfigMap", oldCopy)).toBeUndefined();
      await router.waitForWeights({ web: 1 });
    },
    180_000,
  );

  itWithControllers(
    "a server dropped mid-step: a new one resumes the canary through the reconcile, at once since its check is overdue",
    async () => {
      const ctx = await cluster();
      const { environment, github, merge, startServer, where, promotions, live } = await scenario(ctx, { steps: [20, 50] });
      const first = startServer();
      await merge(first, webManifests("2", "debug"), "c2", 7);
      const atStep = await waitForState(ctx.store, where, (state) => state.phase === "progressing" && state.stepIndex === 0);

      // The server goes away mid-step, and stays away for three intervals: nothing moves the canary.
      await first.stop();
      const dropped = (await waitForState(ctx.store, where, () => true)).checks.length;
      await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
      const whileDown = await waitForState(ctx.store, where, () => true);
      expect(whileDown).toMatchObject({ phase: "progressing", stepIndex: 0, stepSince: atStep.stepSince });
      expect(whileDown.checks).toHaveLength(dropped);

      // A new server: its reconcile reads the repository's environments and resumes the canary.
      const second = startServer();
      github.get("/app/installations").query(true).reply(200, [{ id: installation, account: { login: repository.owner, id: 1, type: "Organization" }, app_id: 1, target_type: "Organization", permissions: {}, events: [], repository_selection: "selected" }]);
      interceptInstallationToken(github, { installationId: installation });
      github.get("/installation/repositories").query(true).reply(200, {
        total_count: 1,
        repositories: [{ id: 1, name: repository.repo, full_name: `${repository.owner}/${repository.repo}`, owner: { login: repository.owner, id: 1 }, default_branch: "main", private: true }],
      });
      const config = { environments: [{ name: environment.name, paths: ["**"], namespace: environment.namespace, canary: [webCanary({ steps: [20, 50], interval: "1s" })] }] };
      interceptConfig(github, repository, JSON.stringify(config));
      const probot = await createTestProbot(() => undefined);
      const queued: string[] = [];
      const resumedAt = Date.now();
      let resumed = 0;
      await reconcileOnce({
        app: probot,
        policy: canaryPolicy(fixture.prometheusUrl()),
        round: 1,
        // The branch's apply is another test's subject (test/github/reconcile.int.test.ts): here it is only counted.
        enqueue: (job) => queued.push(`${job.repo.owner}/${job.repo.repo}:${job.branch}`) > 0,
        resumeCanaries: async (params) => {
          for (const environment of params.environments) resumed += await second.service.resume({ granted: environment, repository: params.repository, installation: params.installation });
        },
      });
      expect(resumed).toBe(1);
      expect(queued).toEqual(["acme/web:main"]);

      // Its first tick finds the step's check overdue (the deadline is in the state), checks, and moves on.
      const moved = await waitForState(ctx.store, where, (state) => state.stepIndex === 1, 10 * intervalMs);
      expect(Date.now() - resumedAt).toBeLessThan(intervalMs + 1_000);
      expect(moved).toMatchObject({ phase: "progressing", weight: 50 });
      expect(moved.checks.slice(dropped).map((check) => [check.stepIndex, check.verdict])).toEqual([[0, "pass"]]);

      const final = await waitForState(ctx.store, where, (state) => state.phase === "succeeded", 60_000);
      expect(final.message).toMatch(/^Promoted/);
      expect(promotions).toEqual(["c2"]);
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:2");
    },
    180_000,
  );

  itWithControllers(
    "two servers ticking one canary: each transition once, each check once, the weights moved once per step, one promotion",
    async () => {
      const ctx = await cluster();
      const { router, checkRuns, merge, startServer, where, promotions, environment, live } = await scenario(ctx, { steps: [20, 40, 60] });
      const [a, b] = [startServer(), startServer()];
      const routed = sampleWeights(router);
      const recording = recordStates(ctx.store, where);
      await merge(a, webManifests("2", "debug"), "c2", 7);
      // The second server finds it as its reconcile would, and ticks it too, on the same schedule.
      expect(await b.service.resume({ granted: granted(environment), repository: `${repository.owner}/${repository.repo}`, installation })).toBe(1);

      const final = await waitForState(ctx.store, where, (state) => state.phase === "succeeded", 90_000);
      const states = await recording.stop();
      // The router follows the route by a watch, a moment after the controller wrote it: stop sampling once it is back on stable.
      await router.waitForWeights({ web: 1 });
      const weights = await routed.stop();

      expect(promotions).toEqual(["c2"]);
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:2");
      // The controller's transitions, each once.
      expect(final.events.filter((event) => event.via === "controller").map((event) => event.what)).toEqual([
        "Canary ready; trying every query once before any traffic moves.",
        "Queries answer; first step.",
        "Check passed; next step.",
        "Check passed; next step.",
        "Every step passed; promoting.",
        "The stable Deployment runs the new revision; moving all traffic back to it.",
        "Promoted: the stable Deployment runs the new revision with all traffic.",
      ]);
      // One passing check per step, never two checks within an interval.
      expect(final.checks.filter((check) => check.verdict === "pass").map((check) => check.stepIndex)).toEqual([0, 1, 2]);
      const times = final.checks.map((check) => Date.parse(check.at));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(intervalMs);
      // Every version of the state moved forward: no step taken twice, none undone.
      const moves = changes(states.map((state) => `${state.phase} at ${state.weight} %`));
      expect(new Set(moves).size, moves.join(" → ")).toBe(moves.length);
      // The route's weights as the router followed them: up once per step, then back.
      expect(changes(weights)).toEqual([0, 20, 40, 60, 0]);
      // One check run, from start to success: the replica that lost a race opened none of its own.
      const runs = checkRuns();
      expect(runs.filter((request) => request.method === "POST")).toHaveLength(1);
      expect(new Set(runs.map((request) => request.id)).size).toBe(1);
      expect(runs.at(-1)).toMatchObject({ status: "completed", conclusion: "success" });
    },
    180_000,
  );
});

/** The canary's weight as the router reads the route, every 20 ms, until stopped (0 while the route names no canary). */
function sampleWeights(router: Router): { stop: () => Promise<number[]> } {
  const seen: number[] = [];
  const sample = () => seen.push(router.weights()?.["web-canary"] ?? 0);
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Promise.resolve(seen);
    },
  };
}
