// The manual gate through the whole app (issue 7): real push, comment and check run payloads into
// Probot, GitHub answered by nock (every request checked against GitHub's OpenAPI description), the
// apply and the canary on the real control plane with the Gateway API CRDs, a real Prometheus and
// real traffic. With `promotion: manual` the canary stops at the gate with its check run completed
// as action required, Promote, Abort and Pause on it; a reader's `/canary promote` or press of
// Promote changes nothing, a writer's promotes: the stable Deployment takes the revision and its
// config, the route goes back to Git's rules, the canary to zero.
import { expect } from "vitest";
import type { CanaryState } from "../../src/canary/types.js";
import { canaryStateName, revisionAnnotation } from "../../src/desired/canary.js";
import { createSlipwayApp } from "../../src/github/app.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { canaryActionIdentifiers } from "../../src/render/canary-actions.js";
import { describeWithCluster, itWithControllers, testClusters, useCluster, type ClusterContext } from "../support/cluster.js";
import { anyNumberOfTimes, mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey } from "../support/policy.js";
import { imageOf, useCanarySuite, webCanary, webManifests } from "./harness/canary-suite.js";
import { canaryPolicy, interceptCheckRuns, waitForState, type CheckRunRequest } from "./harness/canary-server.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const environmentName = "production";
const runName = `slipway/canary (${environmentName}/web)`;
/** The pull request whose merge (commit 2) starts the canary. */
const pullRequest = 5;
const [sha1, sha2] = ["a1".repeat(20), "b2".repeat(20)];
const files = (image: string, level: string) => ({ "deploy/web.yaml": webManifests(image, level)["web.yaml"]! });
const writer = "octocat";
const reader = "visitor";

describeWithCluster("the manual gate, through the app", () => {
  const cluster = useCluster();
  const suite = useCanarySuite(cluster);

  /**
   * Slipway with the file's Prometheus in its policy and merge 1 applied through a push, the
   * router following the route; then merge 2 (a new image and config) pushed, its canary at the
   * gate with 50 % of the traffic.
   */
  async function atTheGate(ctx: ClusterContext) {
    const env = await suite.setUp(ctx);
    const { namespace } = env;
    const github = mockGitHub();
    const checkRuns = interceptCheckRuns(github, { owner, repo });
    const config = JSON.stringify({
      environments: [{ name: environmentName, paths: ["deploy/**"], namespace, readinessTimeoutSeconds: 60, canary: [webCanary({ steps: [50], interval: "1s", promotion: "manual" })] }],
    });
    // What any number of applies and ticks ask, however often: installation tokens (Probot caches
    // one), deployments and their statuses, the pull request a commit merged, comments on it.
    anyNumberOfTimes(github.post(`/app/installations/${EXAMPLE_INSTALLATION_ID}/access_tokens`)).reply(201, () => ({ token: "ghs_slipwaytesttoken", expires_at: new Date(Date.now() + 3_600_000).toISOString() }));
    let deployment = 900;
    anyNumberOfTimes(github.post(`${base}/deployments`)).reply(201, () => ({ id: ++deployment }));
    anyNumberOfTimes(github.post(new RegExp(`^${base}/deployments/\\d+/statuses$`))).reply(201, { id: 1 });
    anyNumberOfTimes(github.get(new RegExp(`^${base}/commits/[0-9a-f]{40}/pulls$`))).reply(200, [{ number: pullRequest, merged_at: "2026-11-26T12:00:00Z" }]);
    anyNumberOfTimes(github.post(`${base}/issues/${pullRequest}/comments`)).reply(201, { id: 1 });
    /** GitHub's side of one apply of `sha`, once: the branch's head, its configuration, its tarball. */
    const interceptApply = (sha: string, content: Record<string, string>) => {
      interceptBranchHead(github, { owner, repo }, "main", sha);
      interceptConfig(github, { owner, repo }, config, { ref: sha });
      interceptTarball(github, { owner, repo }, sha, content);
    };

    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 2 }, rememberDeliveries: 100 });
    // A check that moved nothing may refresh the check run every second, not every minute: the gate's
    // completed run is still never refreshed, and no new run opened, check after check.
    const app = createSlipwayApp({
      clusters: testClusters(),
      queue,
      fieldManager: "slipway",
      policy: canaryPolicy(suite.prometheusUrl()),
      configHashKey: testConfigHashKey,
      canaryPollMs: 250,
      canaryCheckRunRefreshMs: 1_000,
    });
    const probot = await createTestProbot(app);
    suite.addCleanup(async () => void (await queue.shutdown({ deadlineMs: 5_000 })));
    const live = (kind: "Deployment" | "ConfigMap", name: string) => ctx.store.get({ apiVersion: kind === "Deployment" ? "apps/v1" : "v1", kind, namespace, name });

    // Merge 1: the workload, no canary yet.
    interceptApply(sha1, files("1", "info"));
    await probot.receive(pushEvent(sha1));
    await queue.onIdle();
    expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
    const router = await suite.follow(ctx, namespace, env);
    await router.waitForWeights({ web: 1 });

    // Merge 2: a new image and config. Its apply asks whether commit 2 is behind commit 1 (an
    // out-of-order delivery), then starts a canary, which reaches the gate.
    interceptApply(sha2, files("2", "debug"));
    github.get(`${base}/compare/${sha1}...${sha2}`).query(true).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1 });
    await probot.receive(pushEvent(sha2));
    const where = { namespace, name: canaryStateName(environmentName, "web") };
    const gate = await waitForState(ctx.store, where, (state) => state.phase === "awaiting-promotion");
    expect(gate).toMatchObject({ commit: sha2, pullRequest, weight: 50 });
    await router.waitForWeights({ web: 50, "web-canary": 50 });
    const gateRun = await expectGateCheckRun(checkRuns);
    return { namespace, github, checkRuns, config, interceptApply, probot, queue, router, where, gate, gateRun, live };
  }
  type Gate = Awaited<ReturnType<typeof atTheGate>>;

  /** GitHub's side of a writer's promotion: the permission, the configuration, the repository, the promotion's apply of the branch's head. */
  function interceptPromotion(setup: Gate) {
    const { github } = setup;
    github.get(`${base}/collaborators/${writer}/permission`).reply(200, { permission: "write", role_name: "write", user: { login: writer } });
    interceptConfig(github, { owner, repo }, setup.config);
    github.get(base).reply(200, { id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner }, default_branch: "main" });
    setup.interceptApply(sha2, files("2", "debug"));
  }

  /** After promotion: the stable Deployment runs the revision and reads its config, the canary at zero, the route Git's. */
  async function expectPromoted(ctx: ClusterContext, setup: Gate): Promise<CanaryState> {
    const { where, gate, live, router, checkRuns } = setup;
    const final = await waitForState(ctx.store, where, (state) => state.phase === "succeeded");
    const stable = await live("Deployment", "web");
    expect(imageOf(stable)).toBe("registry.example.com/web:2");
    expect(stable?.metadata.annotations?.[revisionAnnotation]).toBe(gate.revision);
    expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "debug" });
    expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
    const route = await ctx.store.get({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: setup.namespace, name: "web" });
    expect((route?.spec as { rules: Array<{ backendRefs: Array<{ name: string }> }> }).rules.map((rule) => rule.backendRefs.map((ref) => ref.name))).toEqual([["web"]]);
    await router.waitForWeights({ web: 1 });
    // Moving on from the gate opened a new run (the gate's is completed), which ends in success.
    await until(() => checkRuns().at(-1)?.conclusion !== undefined);
    expect(checkRuns().at(-1)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checkRuns().at(-1)?.id).not.toBe(setup.gateRun.id);
    await setup.queue.onIdle();
    return final;
  }

  itWithControllers(
    "waits at the gate on one check run; /canary promote from a reader is refused and changes nothing; from a writer it promotes",
    async () => {
      const ctx = await cluster();
      const setup = await atTheGate(ctx);
      const { github, checkRuns, probot, queue, where, gateRun } = setup;

      // It waits: checks go on at the gate, on the one gate run, with no new run and no update.
      const sentAtGate = checkRuns().length;
      const waited = await waitForState(ctx.store, where, (state) => state.checks.length >= setup.gate.checks.length + 2);
      expect(waited).toMatchObject({ phase: "awaiting-promotion", weight: 50 });
      expect(checkRuns()).toHaveLength(sentAtGate);
      expect(checkRuns().filter((request) => request.conclusion === "action_required").map((request) => request.id)).toEqual([gateRun.id]);

      // A reader: refused, and told why; no reaction, and the canary is as it was.
      github.get(`${base}/collaborators/${reader}/permission`).reply(200, { permission: "read", role_name: "read", user: { login: reader } });
      await probot.receive(commentEvent("/canary promote", reader, 301));
      await queue.onIdle();
      expect(replies(github)).toEqual([expect.stringMatching(new RegExp(`^Sorry @${reader}, only collaborators with write access`))]);
      expect(bodiesOf(github, "POST", /reactions$/)).toEqual([]);
      const afterReader = await waitForState(ctx.store, where, () => true);
      expect(afterReader).toMatchObject({ phase: "awaiting-promotion", weight: 50 });
      expect(afterReader.promoteRequested).toBeUndefined();
      expect(afterReader.commandsSeen).toEqual([]);
      expect(afterReader.events.filter((event) => event.by === reader)).toEqual([]);

      // A writer: the comment gets 👍 and a reply, and the canary promotes through an apply of the branch's head.
      interceptPromotion(setup);
      github.get(`${base}/pulls/${pullRequest}`).reply(200, { number: pullRequest, state: "closed", merged: true, merge_commit_sha: sha2, head: { sha: "c".repeat(40) }, base: { sha: sha1 } });
      github.post(`${base}/issues/comments/302/reactions`).reply(201, { id: 1, content: "+1" });
      await probot.receive(commentEvent("/canary promote", writer, 302));

      const final = await expectPromoted(ctx, setup);
      expect(bodiesOf(github, "POST", /reactions$/)).toEqual([{ content: "+1" }]);
      expect(replies(github)).toHaveLength(2);
      expect(replies(github)[1]).toMatch(new RegExp(`^Promoting .*revision \`${setup.gate.revision.slice(0, 12)}\``));
      expect(final.events).toEqual(expect.arrayContaining([{ at: expect.any(String), by: writer, via: "pull request comment", what: "/canary promote" }]));
      expect(final.events.filter((event) => event.by === reader)).toEqual([]);
      // The deployment of the merge that started the canary stays in progress until the canary ends, then takes its outcome.
      const statuses = (id: number) =>
        github.requests.filter((request) => request.method === "POST" && request.path === `${base}/deployments/${id}/statuses`).map((request) => (request.body as { state: string; description: string }));
      await until(() => statuses(902).length === 3);
      expect(statuses(902).map((status) => status.state)).toEqual(["in_progress", "in_progress", "success"]);
      expect(statuses(902)[1]?.description).toMatch(/^Applied; canary of .*web under way$/);
      expect(statuses(901).map((status) => status.state)).toEqual(["in_progress", "success"]);
      github.done();
    },
    180_000,
  );

  itWithControllers(
    "the gate's Promote button: a reader's press changes nothing, nor a writer's on an older commit's run; a writer's on the canary's run promotes",
    async () => {
      const ctx = await cluster();
      const setup = await atTheGate(ctx);
      const { github, checkRuns, probot, queue, where, gateRun } = setup;
      // The press names the run as GitHub knows it: its id, its name, the external id it was created with.
      const created = checkRuns().find((request) => request.method === "POST" && request.id === gateRun.id);
      expect(created?.externalId).toEqual(expect.any(String));
      const press = (login: string, headSha = sha2) => buttonEvent({ id: gateRun.id, name: gateRun.name, externalId: created!.externalId!, headSha }, login);

      github.get(`${base}/collaborators/${reader}/permission`).reply(200, { permission: "read", role_name: "read", user: { login: reader } });
      const sentBefore = checkRuns().length;
      await probot.receive(press(reader));
      await queue.onIdle();
      expect(github.requests.some((request) => request.path === `${base}/collaborators/${reader}/permission`)).toBe(true);
      // Ticks at the gate go on; a check later, nothing the reader did shows.
      const checksBefore = (await waitForState(ctx.store, where, () => true)).checks.length;
      const afterReader = await waitForState(ctx.store, where, (state) => state.checks.length > checksBefore);
      expect(afterReader).toMatchObject({ phase: "awaiting-promotion", weight: 50 });
      expect(afterReader.promoteRequested).toBeUndefined();
      expect(afterReader.commandsSeen).toEqual([]);
      expect(afterReader.events.filter((event) => event.by === reader)).toEqual([]);
      expect(checkRuns()).toHaveLength(sentBefore);
      // A button has no comment to answer.
      expect(replies(github)).toEqual([]);

      // A writer's press on an older commit's run of the same workload (its buttons stay): refused, nothing changes.
      github.get(`${base}/collaborators/${writer}/permission`).reply(200, { permission: "write", role_name: "write", user: { login: writer } });
      interceptConfig(github, { owner, repo }, setup.config);
      await probot.receive(press(writer, sha1));
      await queue.onIdle();
      const checksThen = (await waitForState(ctx.store, where, () => true)).checks.length;
      const afterOldRun = await waitForState(ctx.store, where, (state) => state.checks.length > checksThen);
      expect(afterOldRun).toMatchObject({ phase: "awaiting-promotion", weight: 50, commandsSeen: [] });
      expect(afterOldRun.promoteRequested).toBeUndefined();

      interceptPromotion(setup);
      await probot.receive(press(writer));

      const final = await expectPromoted(ctx, setup);
      expect(final.events).toEqual(expect.arrayContaining([{ at: expect.any(String), by: writer, via: "check run button", what: "/canary promote" }]));
      expect(final.events.filter((event) => event.by === reader)).toEqual([]);
      expect(replies(github)).toEqual([]);
      expect(bodiesOf(github, "POST", /reactions$/)).toEqual([]);
      github.done();
    },
    180_000,
  );
});

/** The gate's check run: completed as action required, with Promote, Abort and Pause. */
async function expectGateCheckRun(checkRuns: (prefix?: string) => CheckRunRequest[]): Promise<CheckRunRequest> {
  await until(() => checkRuns().some((request) => request.conclusion === "action_required"));
  const [gate] = checkRuns().filter((request) => request.conclusion === "action_required");
  expect(gate).toMatchObject({ name: runName, status: "completed" });
  expect(gate?.actions?.map((action) => action.identifier)).toEqual([canaryActionIdentifiers.promote, canaryActionIdentifiers.abort, canaryActionIdentifiers.pause]);
  return gate!;
}

const repository = { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner }, default_branch: "main" };

const pushEvent = (sha: string) => exampleEvent("push", undefined, { ref: "refs/heads/main", after: sha, deleted: false, repository });

const commentEvent = (body: string, login: string, id: number) =>
  exampleEvent("issue_comment", "created", {
    issue: { number: pullRequest, pull_request: { url: `https://api.github.com${base}/pulls/${pullRequest}` } },
    comment: { id, body, user: { login, type: "User" } },
    repository,
  });

const buttonEvent = (run: { id: number; name: string; externalId: string; headSha: string }, login: string) =>
  exampleEvent("check_run", "requested_action", {
    check_run: { id: run.id, name: run.name, external_id: run.externalId, head_sha: run.headSha },
    requested_action: { identifier: canaryActionIdentifiers.promote },
    sender: { login },
    repository,
    installation: { id: EXAMPLE_INSTALLATION_ID },
  });

/** The comments Slipway posted on the pull request, other than each apply's. */
const replies = (github: GitHubMock): string[] =>
  (bodiesOf(github, "POST", new RegExp(`issues/${pullRequest}/comments$`)) as Array<{ body: string }>).map((comment) => comment.body).filter((body) => !/Slipway applied `/.test(body));

async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
