// Plans and applies do not share slots: while two applies (as many as the apply pool runs at
// once) wait for workloads that never become ready, the plans of three pull requests run and finish.
import { expect, it } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import {
  interceptBranchHead,
  interceptChangedFiles,
  interceptConfig,
  interceptStickyComment,
  interceptTarball,
  type PullRequestFixture,
} from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;

describeWithCluster("the fair queue", () => {
  const cluster = useCluster();

  it("finishes three pull requests' plans while an apply waits for readiness", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("slow");
    const otherNs = await ctx.namespace("slow");
    const configIn = (namespace: string) => `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${namespace}\n    readinessTimeoutSeconds: 12\nforks: validate\n`;
    const config = configIn(ns);
    // No node matches: the Deployment's pods stay Pending, so the apply waits out its readiness timeout.
    const stuck = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stuck\nspec:\n  selector: {matchLabels: {app: stuck}}\n  template:\n    metadata: {labels: {app: stuck}}\n    spec:\n      nodeSelector: {no-such-node: "true"}\n      containers: [{name: app, image: stuck:1}]\n`;
    const sha = "5e".repeat(20);
    const completed: string[] = [];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptBranchHead(github, { owner, repo }, "main", sha);
    interceptConfig(github, { owner, repo }, config, { ref: sha });
    // Which job creates its check run first is not fixed: each interceptor matches its own job's.
    const forCommit = (headSha: string) => (body: { head_sha?: string }) => body.head_sha === headSha;
    github.post(`${base}/check-runs`, forCommit(sha)).reply(201, { id: 700 });
    github.post(`${base}/deployments`).reply(201, { id: 701 });
    github.post(`${base}/deployments/701/statuses`).times(2).reply(201, { id: 1 });
    interceptTarball(github, { owner, repo }, sha, { "deploy/stuck.yaml": stuck });
    github.patch(`${base}/check-runs/700`).reply(200, () => (completed.push("apply"), { id: 700 }));
    github.get(`${base}/commits/${sha}/pulls`).reply(200, []);
    // A second repository's apply, stuck the same way, fills the apply pool's other slot.
    const other = { owner, repo: "Other" };
    interceptBranchHead(github, other, "main", sha);
    interceptConfig(github, other, configIn(otherNs), { ref: sha });
    github.post(`/repos/${owner}/Other/check-runs`).reply(201, { id: 800 });
    github.post(`/repos/${owner}/Other/deployments`).reply(201, { id: 801 });
    github.post(`/repos/${owner}/Other/deployments/801/statuses`).times(2).reply(201, { id: 1 });
    interceptTarball(github, other, sha, { "deploy/stuck.yaml": stuck });
    github.patch(`/repos/${owner}/Other/check-runs/800`).reply(200, () => (completed.push("apply"), { id: 800 }));
    github.get(`/repos/${owner}/Other/commits/${sha}/pulls`).reply(200, []);
    const prs = [1, 2, 3].map((number): PullRequestFixture => ({
      owner,
      repo,
      number,
      baseSha: "b".repeat(40),
      headSha: String(number).repeat(40),
      base: {},
      head: { "deploy/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${number}\n` },
    }));
    for (const pr of prs) {
      interceptConfig(github, pr, config);
      interceptChangedFiles(github, pr);
      github.post(`${base}/check-runs`, forCommit(pr.headSha)).reply(201, { id: 710 + pr.number });
      github.patch(`${base}/check-runs/${710 + pr.number}`).reply(200, () => (completed.push(`plan ${pr.number}`), { id: 710 + pr.number }));
      interceptStickyComment(github, pr);
    }
    const queue = new WorkQueue({ concurrency: { plan: 2, apply: 2, canary: 1 } });
    const clusters = testClusters();
    const probot = await createTestProbot(createSlipwayApp({ clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey }));
    for (const name of [repo, "Other"]) {
      await probot.receive(
        exampleEvent("push", undefined, { ref: "refs/heads/main", after: sha, deleted: false, repository: { name, full_name: `${owner}/${name}`, owner: { login: owner, name: owner }, default_branch: "main" } }),
      );
    }
    for (const pr of prs) {
      await probot.receive(
        exampleEvent("pull_request", "opened", {
          number: pr.number,
          pull_request: { number: pr.number, state: "open", head: { sha: pr.headSha, repo: { full_name: "someone/Hello-World" } }, base: { sha: pr.baseSha, repo: { full_name: `${owner}/${repo}` } } },
        }),
      );
    }
    await queue.onIdle();
    github.done();
    expect(completed).toHaveLength(5);
    expect(completed.slice(0, 3).sort()).toEqual(["plan 1", "plan 2", "plan 3"]);
  });
});
