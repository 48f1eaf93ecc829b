// SIGTERM mid-apply: the queue's shutdown reaches the apply while it waits for a Deployment's
// readiness. The check run is completed (neutral, "Interrupted…"), the Lease is released, nothing
// is pruned and no commit recorded; the next start's reconcile applies the commit again and
// converges.
import { expect } from "vitest";
import { readInventory } from "../../src/apply/inventory.js";
import { createSlipwayApp, enqueueBranchApply } from "../../src/github/app.js";
import { reconcileOnce } from "../../src/github/reconcile.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { interruptedTitle } from "../../src/render/interrupted.js";
import { fakeNodeName } from "../cluster/cluster.js";
import { describeWithCluster, itWithControllers, useCluster, type ClusterContext, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, examplePushEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  level: info\n`;
/** Its pods stay Pending until the test labels the node with `label`: the apply waits for its readiness meanwhile. */
const waiting = (label: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      nodeSelector: {${label}: "true"}\n      containers: [{name: app, image: web:1}]\n`;

function slipway(queue: WorkQueue) {
  const clusters = testClusters();
  return { clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey };
}

/** What GitHub answers around one apply: config, check run, deployment, tarball, the check run's completion. */
function interceptApplyRound(github: GitHubMock, params: { sha: string; config: string; checkRun: number; deployment: number; files: Record<string, string> }) {
  interceptBranchHead(github, { owner, repo }, "main", params.sha);
  interceptConfig(github, { owner, repo }, params.config, { ref: params.sha });
  github.post(`${base}/check-runs`).reply(201, { id: params.checkRun, html_url: `https://github.com/${owner}/${repo}/runs/${params.checkRun}` });
  github.post(`${base}/deployments`).reply(201, { id: params.deployment });
  github.post(`${base}/deployments/${params.deployment}/statuses`).times(2).reply(201, { id: 1 });
  interceptTarball(github, { owner, repo }, params.sha, params.files);
  github.patch(`${base}/check-runs/${params.checkRun}`).reply(200, { id: params.checkRun });
}

const pushEvent = (sha: string) => examplePushEvent(sha, { owner, repo });

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function labelNode(ctx: ClusterContext, label: string, value: string | null): Promise<void> {
  await ctx.client.request({ method: "PATCH", path: `/api/v1/nodes/${fakeNodeName}`, contentType: "application/merge-patch+json", body: { metadata: { labels: { [label]: value } } } });
}

describeWithCluster("shutting down mid-apply", () => {
  const cluster = useCluster();

  itWithControllers("completes the check run as interrupted, releases the Lease, prunes nothing, and the next start applies the commit again", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("sigterm");
    const label = `slipway-test-${ns}`;
    const config = `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${ns}\n    readinessTimeoutSeconds: 300\n`;
    const [first, second] = ["f1".repeat(20), "f2".repeat(20)];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    // Round 1: `old` is applied, so round 2 (which removes it from Git) has something to prune.
    interceptApplyRound(github, { sha: first, config, checkRun: 601, deployment: 701, files: { "deploy/old.yaml": configMap("old") } });
    github.get(`${base}/commits/${first}/pulls`).reply(200, []);
    // Round 2: interrupted while it waits for the Deployment; no comment on a merged pull request.
    const secondFiles = { "deploy/new.yaml": configMap("new"), "deploy/web.yaml": waiting(label) };
    interceptApplyRound(github, { sha: second, config, checkRun: 602, deployment: 702, files: secondFiles });
    const interceptAhead = () => github.get(`${base}/compare/${first}...${second}`).query(true).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0 });
    interceptAhead();

    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const probot = await createTestProbot(createSlipwayApp(slipway(queue)));
    await probot.receive(pushEvent(first));
    await queue.onIdle();
    await probot.receive(pushEvent(second));
    await until("the Deployment to be applied", async () => (await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" })) !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 500)); // well inside its readiness wait
    const started = performance.now();
    const stopped = await queue.shutdown({ deadlineMs: 0 });
    const stopMs = performance.now() - started;
    console.info(`[shutdown] the interrupted apply finished its job ${stopMs.toFixed(0)} ms after the shutdown's deadline`);

    expect(stopped).toEqual({ dropped: 0, aborted: 1 });
    expect(stopMs).toBeLessThan(10_000);
    const [interrupted] = bodiesOf(github, "PATCH", /check-runs\/602$/) as Array<{ status: string; conclusion: string; output: { title: string; summary: string; text: string } }>;
    expect(interrupted).toMatchObject({ status: "completed", conclusion: "neutral", output: { title: interruptedTitle } });
    expect(interrupted?.output.summary).toMatch(/The Slipway server shut down during this apply and stopped it\. .*Nothing was pruned.*the next start of the server applies this commit again/);
    expect(interrupted?.output.text).toContain(`| \`Deployment/${ns}/web\` | created | not ready: not known: the apply stopped (the Slipway server is shutting down)`);
    const states = bodiesOf(github, "POST", /deployments\/702\/statuses$/).map((body) => (body as { state: string }).state);
    expect(states).toEqual(["in_progress", "error"]);
    // The Lease is released (no holder), `old` was not pruned, and the inventory still records the first commit.
    const lease = (await ctx.client.request<KubeObject>({ method: "GET", path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/slipway-inventory-staging-lock` })).body;
    expect((lease.spec as { holderIdentity?: string }).holderIdentity ?? undefined).toBeUndefined();
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "old" })).toBeDefined();
    const inventory = await readInventory(ctx.store, { environment: "staging", namespace: ns });
    expect(inventory.commit).toBe(first);
    expect(inventory.objects.map((object) => object.name).sort()).toEqual(["new", "old", "web"]);
    github.done();

    // The next start: the node the Deployment needs is there now; the reconcile finds the
    // inventory behind the branch's head and applies it again, through the same job as a push.
    await labelNode(ctx, label, "true");
    try {
      const next = github; // one GitHub mock per test: the next start's requests go to it too
      next.get("/app/installations").query(true).reply(200, [{ id: EXAMPLE_INSTALLATION_ID, account: { login: owner, id: 1, type: "Organization" }, app_id: 1, target_type: "Organization", permissions: {}, events: [], repository_selection: "selected" }]);
      interceptInstallationToken(next, { installationId: EXAMPLE_INSTALLATION_ID });
      next.get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, id: 1 }, default_branch: "main", private: true }] });
      interceptConfig(next, { owner, repo }, config);
      interceptApplyRound(next, { sha: second, config, checkRun: 603, deployment: 703, files: secondFiles });
      next.get(`${base}/commits/${second}/pulls`).reply(200, []);
      interceptAhead();
      const restarted = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
      const deps = slipway(restarted);
      const app = await createTestProbot(createSlipwayApp(deps));
      expect(await reconcileOnce({ app, policy: deps.policy, enqueue: (job) => enqueueBranchApply(deps, job), round: 1 })).toBe(1);
      await restarted.onIdle();
      next.done();
      const [converged] = bodiesOf(next, "PATCH", /check-runs\/603$/) as Array<{ conclusion: string; output: { title: string } }>;
      expect(converged?.conclusion).toBe("success");
      expect(converged?.output.title).toMatch(/1 pruned/);
      expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "old" })).toBeUndefined();
      expect((await readInventory(ctx.store, { environment: "staging", namespace: ns })).commit).toBe(second);
    } finally {
      await labelNode(ctx, label, null);
    }
  });
});
