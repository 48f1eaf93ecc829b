// `/canary revert` and the Revert button end to end: real webhook payloads into Probot, GitHub
// answered by nock (every request checked against GitHub's OpenAPI description), and the failed
// canary's state in a namespace of the real test cluster, where CanaryService finds it.
import { expect, it } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import { readCanaryState, type StoredCanaryState } from "../../src/canary/state-store.js";
import type { CanaryState } from "../../src/canary/types.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import { moveTestCanary, startTestCanary } from "../support/canary-state.js";
import { describeWithCluster, testClusters, useCluster } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, blobSha, interceptConfig } from "../support/github/pull-request-fixture.js";
import { interceptContentsReadOnly, interceptExistingRevert, interceptMergeCommit, interceptRevertLookups, interceptRevertWrites, type RevertFixture } from "../support/github/revert-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "acme";
const repo = "deploy";
const base = `/repos/${owner}/${repo}`;
/** The commit startTestCanary's canary tests, merged from pull request 42. */
const merge = "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b";
const web = (image: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;
const fixture: RevertFixture = {
  owner,
  repo,
  branch: "main",
  merge,
  parent: "1".repeat(40),
  head: merge,
  pullRequest: { number: 42, title: "Roll web out to v2" },
  parentFiles: { "deploy/web.yaml": web("web:v1"), "README.md": "# deploy\n" },
  mergeFiles: { "deploy/web.yaml": web("web:v2"), "deploy/web-config.yaml": "kind: ConfigMap\n", "README.md": "# deploy\n" },
};

const config = (namespace: string, revertPullRequest: boolean) =>
  `environments:\n  - name: production\n    paths: ["deploy/**"]\n    namespace: ${namespace}\n    canary:\n      - workload: Deployment/web\n        service: web\n        router: { type: gateway-api, httpRoute: web }\n        revertPullRequest: ${revertPullRequest}\n`;

async function slipway() {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
  const app = createSlipwayApp({ clusters: testClusters(), queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey });
  return { probot: await createTestProbot(app), queue };
}

const repository = { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } };
const commentEvent = (body: string, options: { login?: string; commentId?: number } = {}) =>
  exampleEvent("issue_comment", "created", {
    repository,
    issue: { number: 42, pull_request: { url: `https://api.github.com${base}/pulls/42` } },
    comment: { id: options.commentId ?? 501, body, user: { login: options.login ?? "alice", type: "User" } },
  });

/** A canary of Deployment/web in `production`, rolled back after two failed checks (or moved to `phase`). */
async function failedCanary(store: ObjectStore, namespace: string, change: Partial<CanaryState> = {}): Promise<StoredCanaryState> {
  const started = await startTestCanary(store, { namespace, environment: "production" });
  const at = new Date().toISOString();
  const metrics = [{ name: "success rate", query: "sum(rate(x[1m]))", value: 88.5, min: 99, unit: "%", verdict: "fail" as const }];
  return moveTestCanary(store, started, {
    phase: "failed",
    phaseSince: at,
    weight: 0,
    failedChecks: 2,
    checks: [{ at, stepIndex: 1, weight: 10, requests: 300, verdict: "fail", metrics }],
    message: "Rolled back: success rate 88.5 % < 99 % (2 failed checks).",
    checkRun: { id: 55, url: `https://github.com/${owner}/${repo}/runs/55`, completed: true },
    ...change,
  });
}

/** What every command costs before the canary is found: the token, who may write, the configuration, the pull request. */
function interceptCommandRound(github: GitHubMock, params: { namespace: string; login?: string; permission?: string; revertPullRequest?: boolean; token?: false }) {
  const login = params.login ?? "alice";
  // Probot keeps an installation's token for the life of the instance.
  if (params.token !== false) interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
  github.get(`${base}/collaborators/${login}/permission`).reply(200, { permission: params.permission ?? "write", role_name: params.permission ?? "write", user: { login } });
  if (params.permission === "read") return;
  interceptConfig(github, { owner, repo }, config(params.namespace, params.revertPullRequest ?? true));
  github.get(`${base}/pulls/42`).reply(200, { number: 42, state: "closed", merged: true, merge_commit_sha: merge, head: { sha: "b".repeat(40), repo: { full_name: `${owner}/${repo}` } }, base: { sha: "a".repeat(40), repo: { full_name: `${owner}/${repo}` } } });
}

function interceptAnswer(github: GitHubMock, reaction: "+1" | "confused", commentId = 501) {
  github.post(`${base}/issues/comments/${commentId}/reactions`).reply(201, { id: 1, content: reaction });
  github.post(`${base}/issues/42/comments`).reply(201, { id: 900 });
}

const replyOf = (github: GitHubMock, index = 0): string => ((bodiesOf(github, "POST", /issues\/42\/comments$/) as Array<{ body: string }>)[index]?.body ?? "");
const writesOf = (github: GitHubMock) => github.requests.filter((request) => request.method === "POST" && /\/git\/|\/pulls$/.test(request.path)).map((request) => request.operationId);

describeWithCluster("/canary revert", () => {
  const cluster = useCluster();

  it("opens a pull request that reverts the merge, for a writer, on a failed canary that opted in; the same comment again does nothing", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    const stored = await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns });
    interceptRevertLookups(github, fixture);
    interceptRevertWrites(github, fixture, { opened: 77 });
    interceptAnswer(github, "+1");

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert"));
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "POST", /git\/trees$/)).toEqual([
      {
        base_tree: expect.any(String),
        tree: [
          { path: "deploy/web-config.yaml", mode: "100644", type: "blob", sha: null },
          { path: "deploy/web.yaml", mode: "100644", type: "blob", sha: blobSha(web("web:v1")) },
        ],
      },
    ]);
    expect(bodiesOf(github, "POST", /\/pulls$/)).toEqual([expect.objectContaining({ title: 'Revert "Roll web out to v2"', head: "slipway/revert-9f2c4e1", base: "main" })]);
    expect(bodiesOf(github, "POST", /reactions$/)).toEqual([{ content: "+1" }]);
    expect(replyOf(github)).toMatch(/^Opened #77: it reverts `9f2c4e1` on `main`, putting back 2 paths/);
    const after = await readCanaryState(ctx.store, stored);
    expect(after?.state.commandsSeen).toContain("comment-501");
    expect(after?.state.events.at(-1)).toMatchObject({ by: "alice", via: "pull request comment", what: "/canary revert: opened pull request #77" });
    expect(after?.state.phase).toBe("failed");

    // GitHub redelivers the same comment (a new delivery id): it ran once, so it runs no more.
    const before = github.requests.length;
    interceptCommandRound(github, { namespace: ns, token: false });
    await probot.receive(commentEvent("/canary revert"));
    await queue.onIdle();
    github.done();
    expect(github.requests.slice(before).map((request) => request.operationId)).toEqual(["repos/get-collaborator-permission-level", "repos/get-content", "pulls/get"]);
  });

  it("refuses a reader, and reads no canary", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns, login: "visitor", permission: "read" });
    github.post(`${base}/issues/42/comments`).reply(201, { id: 900 });

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert", { login: "visitor" }));
    await queue.onIdle();

    github.done();
    expect(replyOf(github)).toMatch(/only collaborators with write access/);
    expect(writesOf(github)).toEqual([]);
  });

  it("refuses when the canary's entry does not set revertPullRequest, saying how to turn it on", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns, revertPullRequest: false });
    interceptAnswer(github, "confused");

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert web"));
    await queue.onIdle();

    github.done();
    expect(replyOf(github)).toContain("`/canary revert` changed nothing: revert pull requests are off for `web` in **production**. To turn them on, set `revertPullRequest: true`");
    expect(writesOf(github)).toEqual([]);
  });

  it("refuses a canary a newer merge superseded", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    await failedCanary(ctx.store, ns, { phase: "superseded" });
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns });
    interceptAnswer(github, "confused");

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert"));
    await queue.onIdle();

    github.done();
    expect(replyOf(github)).toContain("was superseded by a newer merge");
  });

  it("refuses, naming the file, when a later commit on the branch changed a file the merge changed", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    await failedCanary(ctx.store, ns);
    const later = { ...fixture, head: "2".repeat(40), headFiles: { ...fixture.mergeFiles, "deploy/web.yaml": web("web:v2-hotfix") } };
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns });
    interceptRevertLookups(github, later);
    interceptAnswer(github, "confused");

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert"));
    await queue.onIdle();

    github.done();
    expect(writesOf(github)).toEqual([]);
    expect(replyOf(github)).toContain("No revert opened: later commits on `main` (now at `2222222`) changed a file this merge changed");
    expect(replyOf(github)).toContain("- `deploy/web.yaml`");
    expect(replyOf(github)).toContain("Revert it by hand");
  });

  it("links the revert pull request a first request opened, instead of opening another", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns });
    interceptRevertLookups(github, fixture);
    interceptRevertWrites(github, fixture, { opened: 77 });
    interceptAnswer(github, "+1", 501);
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert", { commentId: 501 }));
    await queue.onIdle();
    github.done();
    const first = writesOf(github);

    // A second comment: GitHub now lists #77 from the revert's branch.
    interceptCommandRound(github, { namespace: ns, token: false });
    interceptMergeCommit(github, fixture);
    interceptExistingRevert(github, fixture, { pullRequest: 77 });
    interceptAnswer(github, "+1", 502);
    await probot.receive(commentEvent("/canary revert web", { commentId: 502 }));
    await queue.onIdle();

    github.done();
    expect(first).toEqual(["git/create-tree", "git/create-commit", "git/create-ref", "pulls/create"]);
    expect(writesOf(github)).toEqual(first);
    expect(replyOf(github, 0)).toMatch(/^Opened #77/);
    expect(replyOf(github, 1)).toBe("A revert of `9f2c4e1` is already open: #77.");
  });

  it("says the app lacks contents: write when GitHub answers 403, and does not crash", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    const stored = await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptCommandRound(github, { namespace: ns });
    interceptRevertLookups(github, fixture);
    interceptContentsReadOnly(github, fixture);
    interceptAnswer(github, "confused");

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary revert"));
    await queue.onIdle();

    github.done();
    expect(replyOf(github)).toContain("GitHub answered 403 because the Slipway GitHub App lacks the permission `contents: write` on this repository. Nothing was written.");
    expect((await readCanaryState(ctx.store, stored))?.state.events.at(-1)?.what).toBe("/canary revert: GitHub refused (contents=write missing)");
  });
});

describeWithCluster("the Revert button", () => {
  const cluster = useCluster();

  it("opens the revert like the command, and answers on the merged pull request", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    const stored = await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.get(`${base}/collaborators/bob/permission`).reply(200, { permission: "admin", role_name: "admin", user: { login: "bob" } });
    interceptConfig(github, { owner, repo }, config(ns, true));
    interceptRevertLookups(github, fixture);
    interceptRevertWrites(github, fixture, { opened: 78 });
    github.post(`${base}/issues/42/comments`).reply(201, { id: 901 });

    const { probot, queue } = await slipway();
    await probot.receive(
      exampleEvent("check_run", "requested_action", {
        repository,
        installation: { id: EXAMPLE_INSTALLATION_ID },
        sender: { login: "bob" },
        requested_action: { identifier: "canary-revert" },
        check_run: { name: "slipway/canary (production/web)", external_id: `${stored.state.context}/production/web`, head_sha: merge },
      }),
    );
    await queue.onIdle();

    github.done();
    expect(writesOf(github)).toEqual(["git/create-tree", "git/create-commit", "git/create-ref", "pulls/create"]);
    expect(replyOf(github)).toMatch(/^@bob pressed Revert on `slipway\/canary \(production\/web\)`\. Opened #78/);
    expect((await readCanaryState(ctx.store, stored))?.state.events.at(-1)).toMatchObject({ by: "bob", via: "check run button" });
  });

  it("does nothing from the check run of an earlier merge whose canary a newer one replaced", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("revert");
    const stored = await failedCanary(ctx.store, ns);
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.get(`${base}/collaborators/bob/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "bob" } });
    interceptConfig(github, { owner, repo }, config(ns, true));

    const { probot, queue } = await slipway();
    await probot.receive(
      exampleEvent("check_run", "requested_action", {
        repository,
        installation: { id: EXAMPLE_INSTALLATION_ID },
        sender: { login: "bob" },
        requested_action: { identifier: "canary-revert" },
        check_run: { name: "slipway/canary (production/web)", external_id: `${stored.state.context}/production/web`, head_sha: "0".repeat(40) },
      }),
    );
    await queue.onIdle();

    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual(["apps/create-installation-access-token", "repos/get-collaborator-permission-level", "repos/get-content"]);
    expect((await readCanaryState(ctx.store, stored))?.state.commandsSeen).toEqual([]);
  });
});
