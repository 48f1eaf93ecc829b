// Missed work is recovered: a push made while Slipway was down (its webhook never delivered) is
// applied by the reconcile, through the same job as a push; a second pass finds nothing to do.
import { expect, it } from "vitest";
import { createSlipwayApp, enqueueBranchApply } from "../../src/github/app.js";
import { reconcileOnce } from "../../src/github/reconcile.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const installationId = 4242;

function interceptInstallations(github: GitHubMock) {
  github.get("/app/installations").query(true).reply(200, [{ id: installationId, account: { login: owner, id: 1, type: "Organization" }, app_id: 1, target_type: "Organization", permissions: {}, events: [], repository_selection: "selected" }]);
  interceptInstallationToken(github, { installationId });
  github.get("/installation/repositories").query(true).reply(200, {
    total_count: 1,
    repositories: [{ id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, id: 1 }, default_branch: "main", private: true }],
  });
}

describeWithCluster("the reconcile", () => {
  const cluster = useCluster();

  it("applies a push whose webhook never arrived, and then finds nothing left to do", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("missed");
    const config = `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${ns}\n    readinessTimeoutSeconds: 0\n`;
    const head = "9a".repeat(20);
    const github = mockGitHub();
    // Pass 1: the repository's environments, its branch's head, not yet applied → applied.
    interceptInstallations(github);
    interceptConfig(github, { owner, repo }, config);
    interceptBranchHead(github, { owner, repo }, "main", head);
    interceptConfig(github, { owner, repo }, config, { ref: head });
    github.post(`${base}/check-runs`).reply(201, { id: 901, html_url: "https://github.com/x/y/runs/901" });
    github.post(`${base}/deployments`).reply(201, { id: 902 });
    github.post(`${base}/deployments/902/statuses`).times(2).reply(201, { id: 1 });
    interceptTarball(github, { owner, repo }, head, { "deploy/settings.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n` });
    github.patch(`${base}/check-runs/901`).reply(200, { id: 901 });
    github.get(`${base}/commits/${head}/pulls`).reply(200, []);
    // Pass 2: the same head is in the inventory → nothing applied, no check run.
    github.get("/app/installations").query(true).reply(200, [{ id: installationId, account: { login: owner, id: 1, type: "Organization" }, app_id: 1, target_type: "Organization", permissions: {}, events: [], repository_selection: "selected" }]);
    github.get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, id: 1 }, default_branch: "main", private: true }] });
    interceptConfig(github, { owner, repo }, config);
    interceptBranchHead(github, { owner, repo }, "main", head);
    interceptConfig(github, { owner, repo }, config, { ref: head });

    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const clusters = testClusters();
    const deps = { clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey };
    const probot = await createTestProbot(createSlipwayApp(deps));
    const enqueue = (job: Parameters<typeof enqueueBranchApply>[1]) => enqueueBranchApply(deps, job);
    expect(await reconcileOnce({ app: probot, policy: deps.policy, enqueue, round: 1 })).toBe(1);
    await queue.onIdle();
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "settings" });
    expect(live?.data).toEqual({ level: "info" });
    expect(await reconcileOnce({ app: probot, policy: deps.policy, enqueue, round: 2 })).toBe(1);
    await queue.onIdle();
    github.done();
    expect(bodiesOf(github, "POST", /check-runs$/)).toHaveLength(1);
  });
});
