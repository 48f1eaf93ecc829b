// The app's handling of events that need no cluster: comment commands and who may run them,
// a missing or broken configuration, re-runs, and a plan that a newer push has overtaken.
import { describe, expect, it } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";
import { planPullRequest } from "../../src/github/plan-pull-request.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { Clusters } from "../../src/kube/cluster-pool.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import {
  bodiesOf,
  gitTarball,
  interceptBranchHead,
  interceptChangedFiles,
  interceptCheckRun,
  interceptConfig,
  interceptStickyComment,
  interceptTarball,
  type PullRequestFixture,
} from "../support/github/pull-request-fixture.js";
import { ProbotOctokit } from "probot";
import { defaultTarballLimits } from "../../src/config/server.js";

const owner = "Codertocat";
const repo = "Hello-World";
const noClusters: Clusters = {
  access: () => {
    throw new Error("no cluster should be needed here");
  },
};
// Forks are validated without a cluster, so these tests need none.
const config = `environments:\n  - name: staging\n    paths: ["deploy/**"]\nforks: validate\n`;
const pr: PullRequestFixture = {
  owner,
  repo,
  number: 1,
  baseSha: "a".repeat(40),
  headSha: "b".repeat(40),
  base: {},
  head: { "deploy/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n" },
};
const forkPullRequest = {
  number: 1,
  state: "open" as const,
  head: { sha: pr.headSha, repo: { full_name: "someone/Hello-World" } },
  base: { sha: pr.baseSha, repo: { full_name: `${owner}/${repo}` } },
};

async function slipway() {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
  const probot = await createTestProbot(createSlipwayApp({ clusters: noClusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey }));
  return { probot, queue };
}

const commentEvent = (body: string, login = "octocat") =>
  exampleEvent("issue_comment", "created", {
    issue: { number: 1, pull_request: { url: `https://api.github.com/repos/${owner}/${repo}/pulls/1` } },
    comment: { id: 77, body, user: { login, type: "User" } },
  });

function interceptPermission(github: ReturnType<typeof mockGitHub>, login: string, permission: string) {
  github.get(`/repos/${owner}/${repo}/collaborators/${login}/permission`).reply(200, { permission, role_name: permission, user: { login } });
}

describe("comment commands", () => {
  it("refuses /slipway plan from someone without write access, politely, and runs nothing", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "visitor", "read");
    github.post(`/repos/${owner}/${repo}/issues/1/comments`).reply(201, { id: 1 });

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/slipway plan", "visitor"));
    await queue.onIdle();

    github.done();
    const [reply] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(reply?.body).toMatch(/only collaborators with write access/);
  });

  it("re-plans on /slipway plan from a collaborator with write access", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "octocat", "write");
    github.get(`/repos/${owner}/${repo}/pulls/1`).reply(200, forkPullRequest);
    interceptConfig(github, pr, config);
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 7);
    interceptStickyComment(github, pr);

    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/slipway plan\nplease"));
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "POST", /check-runs$/)).toEqual([expect.objectContaining({ name: "slipway/plan (staging)", head_sha: pr.headSha })]);
  });

  it("ignores comments that are not commands, and edits", async () => {
    const github = mockGitHub();
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("looks good, but /slipway plan later"));
    await probot.receive(exampleEvent("issue_comment", "edited", { issue: { number: 1 }, comment: { body: "/slipway plan" } }));
    await queue.onIdle();
    expect(github.requests).toEqual([]);
  });

  it("refuses a /canary command from someone without write access, and reads no canary", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "visitor", "read");
    github.post(`/repos/${owner}/${repo}/issues/1/comments`).reply(201, { id: 1 });
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary promote web", "visitor"));
    await queue.onIdle();
    github.done();
    const [reply] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(reply?.body).toMatch(/only collaborators with write access/);
  });

  it("answers a /canary command on a pull request whose merge started no canary, with a reaction and why, and plans nothing", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "octocat", "write");
    interceptConfig(github, pr, config);
    github.get(`/repos/${owner}/${repo}/pulls/1`).reply(200, { ...forkPullRequest, merged: true, merge_commit_sha: "c".repeat(40) });
    github.post(`/repos/${owner}/${repo}/issues/comments/77/reactions`).reply(201, { id: 1, content: "confused" });
    github.post(`/repos/${owner}/${repo}/issues/1/comments`).reply(201, { id: 2 });
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary abort"));
    await queue.onIdle();
    github.done();
    expect(bodiesOf(github, "POST", /reactions$/)).toEqual([{ content: "confused" }]);
    const [reply] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(reply?.body).toMatch(/`\/canary abort` changed nothing: no canary runs for this pull request/);
    expect(bodiesOf(github, "POST", /check-runs$/)).toEqual([]);
  });

  it("answers an unknown /canary verb with the commands it knows", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "octocat", "write");
    github.post(`/repos/${owner}/${repo}/issues/1/comments`).reply(201, { id: 1 });
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/canary rollback"));
    await queue.onIdle();
    github.done();
    const [reply] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(reply?.body).toMatch(/\/canary promote/);
  });

  it("answers an unknown command with what Slipway understands", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPermission(github, "octocat", "admin");
    github.post(`/repos/${owner}/${repo}/issues/1/comments`).reply(201, { id: 1 });
    const { probot, queue } = await slipway();
    await probot.receive(commentEvent("/slipway destroy `everything`"));
    await queue.onIdle();
    const [reply] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(reply?.body).toMatch(/did not understand .*\/slipway plan/s);
  });
});

describe("configuration problems", () => {
  it.each([
    { what: "a missing configuration", content: undefined, expected: /has no `\.github\/slipway\.yml`/ },
    { what: "an invalid configuration, with its line", content: "environments:\n  - name: prod\n    pathz: [a]\n", expected: /line 2: .*pathz/ },
  ])("answers $what with a comment that says what to do", async ({ content, expected }) => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, content);
    interceptStickyComment(github, pr);
    const { probot, queue } = await slipway();
    await probot.receive(exampleEvent("pull_request", "opened", { number: 1, pull_request: forkPullRequest }));
    await queue.onIdle();
    github.done();
    const [comment] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(comment?.body).toMatch(expected);
  });
});

describe("re-runs and newer pushes", () => {
  it("re-plans when a Slipway check run is re-run", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.get(`/repos/${owner}/${repo}/pulls/1`).reply(200, forkPullRequest);
    interceptConfig(github, pr, config);
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 8);
    interceptStickyComment(github, pr);
    const { probot, queue } = await slipway();
    await probot.receive(
      exampleEvent("check_run", "rerequested", {
        check_run: { name: "slipway/plan (staging)", head_sha: pr.headSha, pull_requests: [{ number: 1 }] },
        repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
      } as never),
    );
    await queue.onIdle();
    github.done();
  });

  it("never lets the plan of an older head commit overwrite the comment", async () => {
    const github = mockGitHub();
    interceptConfig(github, pr, config);
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 9);
    const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });
    const infos: string[] = [];
    await planPullRequest(
      {
        octokit,
        clusters: noClusters,
        policy: testPolicy(),
        fieldManager: "slipway",
        configHashKey: testConfigHashKey,
        latestHead: () => "f".repeat(40),
        log: { info: (message) => void infos.push(message), warn: () => undefined, child() { return this; } },
      },
      { owner, repo, number: 1, headSha: pr.headSha, baseSha: pr.baseSha, isFork: true, state: "open" },
    );
    // The check run for the old commit completes; no comment request was made.
    github.done();
    expect(bodiesOf(github, "GET", /comments$/)).toEqual([]);
    expect(infos.join()).toMatch(/superseded/);
  });
});

describe("failures outside one environment's plan", () => {
  it("fails each configured environment's check run, under the name branch protection waits for", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n  - name: production\n    paths: ["prod/**"]\nforks: validate\n`);
    // Listing the changed files fails: which environments are touched is unknown.
    github.get(`/repos/${owner}/${repo}/pulls/1/files`).query(true).reply(422, { message: "Server Error" });
    github.post(`/repos/${owner}/${repo}/check-runs`).times(2).reply(201, { id: 1 });
    const { probot, queue } = await slipway();
    await probot.receive(exampleEvent("pull_request", "opened", { number: 1, pull_request: forkPullRequest }));
    await queue.onIdle();
    github.done();
    const created = bodiesOf(github, "POST", /check-runs$/) as Array<{ name: string; conclusion: string; output: { summary: string } }>;
    expect(created.map((run) => [run.name, run.conclusion])).toEqual([
      ["slipway/plan (staging)", "failure"],
      ["slipway/plan (production)", "failure"],
    ]);
    expect(created[0]?.output.summary).toMatch(/Re-run this check/);
  });
});

describe("a repository tarball past the server's caps", () => {
  it("fails the environment's check run, saying which cap and how to raise it", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, config);
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 88);
    interceptStickyComment(github, pr);
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
    const tarballLimits = { ...defaultTarballLimits, maxKeptBytes: 10 };
    const probot = await createTestProbot(createSlipwayApp({ clusters: noClusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey, tarballLimits }));
    await probot.receive(exampleEvent("pull_request", "opened", { number: 1, pull_request: forkPullRequest }));
    await queue.onIdle();
    github.done();
    const [completed] = bodiesOf(github, "PATCH", /check-runs\/88$/) as Array<{ conclusion: string; output: { summary: string } }>;
    expect(completed?.conclusion).toBe("failure");
    expect(completed?.output.summary).toMatch(
      /Slipway stopped reading the repository archive at deploy\/cm\.yaml: the files under the environments' paths hold more than 10 bytes, the server's limit \(SLIPWAY_TARBALL_MAX_MANIFEST_BYTES\)\. .* or raise SLIPWAY_TARBALL_MAX_MANIFEST_BYTES on the Slipway server/,
    );
  });
});

describe("apply reporting", () => {
  it("completes the apply's check run when GitHub refuses the deployment", async () => {
    const github = mockGitHub();
    const sha = "c".repeat(40);
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n`, { ref: sha });
    github.post(`/repos/${owner}/${repo}/check-runs`).reply(201, { id: 77, html_url: "https://github.com/x/y/runs/77" });
    interceptBranchHead(github, pr, "main", sha);
    github.post(`/repos/${owner}/${repo}/deployments`).reply(409, { message: "Conflict: Commit status checks failed for main." });
    github.patch(`/repos/${owner}/${repo}/check-runs/77`).reply(200, { id: 77 });
    // Read while GitHub is told of the apply; stopped when the deployment fails, perhaps before it is answered.
    github.get(`/repos/${owner}/${repo}/tarball/${sha}`).optionally().reply(200, gitTarball(pr.head), { "content-type": "application/x-gzip" });
    const { probot, queue } = await slipway();
    await probot.receive(
      exampleEvent("push", undefined, {
        ref: "refs/heads/main",
        after: sha,
        deleted: false,
        repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner }, default_branch: "main" },
      }),
    );
    await queue.onIdle();
    github.done();
    const [update] = bodiesOf(github, "PATCH", /check-runs\/77$/) as Array<{ status: string; conclusion: string; output: { summary: string } }>;
    expect(update).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(update?.output.summary).toMatch(/could not apply environment staging: .*Commit status checks failed/);
  });
});

describe("apply ordering", () => {
  const sha = "d".repeat(40);
  const base = `/repos/${owner}/${repo}`;
  const push = () =>
    exampleEvent("push", undefined, {
      ref: "refs/heads/main",
      after: sha,
      deleted: false,
      repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner }, default_branch: "main" },
    });

  it("reads the commit while the check run is created, not after, and reports a cluster it cannot reach after the deployment's in-progress status", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n`, { ref: sha });
    interceptBranchHead(github, pr, "main", sha);
    let tarballRequested = false;
    let tarballBeforeCheckRun: boolean | undefined;
    github.get(`${base}/tarball/${sha}`).reply(() => {
      tarballRequested = true;
      return [200, gitTarball(pr.head), { "content-type": "application/x-gzip" }];
    });
    // The check run is answered once the tarball was asked for, or after 2 s: the order is the test.
    github.post(`${base}/check-runs`).reply(async () => {
      for (const started = Date.now(); !tarballRequested && Date.now() - started < 2000; ) await new Promise((resolve) => setTimeout(resolve, 10));
      tarballBeforeCheckRun = tarballRequested;
      return [201, { id: 78, html_url: "https://github.com/x/y/runs/78" }];
    });
    github.post(`${base}/deployments`).reply(201, { id: 903 });
    github.post(`${base}/deployments/903/statuses`).times(2).reply(201, { id: 1 });
    github.patch(`${base}/check-runs/78`).reply(200, { id: 78 });
    const { probot, queue } = await slipway();
    await probot.receive(push());
    await queue.onIdle();

    github.done();
    expect(tarballBeforeCheckRun).toBe(true);
    // noClusters refuses: the failure is reported after the bookkeeping it overlapped, in order.
    expect(bodiesOf(github, "POST", /statuses$/).map((body) => (body as { state: string }).state)).toEqual(["in_progress", "failure"]);
    const [update] = bodiesOf(github, "PATCH", /check-runs\/78$/) as Array<{ status: string; conclusion: string; output: { summary: string } }>;
    expect(update).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(update?.output.summary).toMatch(/no cluster should be needed here/);
    const order = github.requests.map((request) => `${request.method} ${request.path.split("?")[0] ?? ""}`);
    expect(order.indexOf(`PATCH ${base}/check-runs/78`)).toBeGreaterThan(order.indexOf(`POST ${base}/check-runs`));
  });

  it("goes on with the apply while the deployment's in-progress status is posted, and posts its final status after that one", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n`, { ref: sha });
    interceptBranchHead(github, pr, "main", sha);
    github.get(`${base}/tarball/${sha}`).reply(200, gitTarball(pr.head), { "content-type": "application/x-gzip" });
    github.post(`${base}/check-runs`).reply(201, { id: 80, html_url: "https://github.com/x/y/runs/80" });
    github.post(`${base}/deployments`).reply(201, { id: 904 });
    let completed = false;
    let completedBeforeInProgress: boolean | undefined;
    github.patch(`${base}/check-runs/80`).reply(200, (_uri, body) => {
      completed = (body as { status?: string }).status === "completed";
      return { id: 80 };
    });
    // The in-progress status is answered once the check run was completed, or after 2 s: the order is the test.
    github.post(`${base}/deployments/904/statuses`).reply(async () => {
      for (const started = Date.now(); !completed && Date.now() - started < 2000; ) await new Promise((resolve) => setTimeout(resolve, 10));
      completedBeforeInProgress = completed;
      return [201, { id: 1 }];
    });
    github.post(`${base}/deployments/904/statuses`).reply(201, { id: 2 });
    const { probot, queue } = await slipway();
    await probot.receive(push());
    await queue.onIdle();

    github.done();
    // noClusters refuses the apply: reported on the check run without waiting for the in-progress status…
    expect(completedBeforeInProgress).toBe(true);
    // …and the deployment's failure posted after its in-progress status.
    expect(bodiesOf(github, "POST", /statuses$/).map((body) => (body as { state: string }).state)).toEqual(["in_progress", "failure"]);
  });

  it("reads a pull request's head while its plan's check run is created, not after", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, config);
    github.get(`${base}/pulls/1/files`).query({ per_page: 100 }).reply(200, [{ sha: "a".repeat(40), filename: "deploy/cm.yaml", status: "added", additions: 4, deletions: 0, changes: 4 }]);
    let tarballRequested = false;
    let tarballBeforeCheckRun: boolean | undefined;
    github.get(`${base}/tarball/${pr.headSha}`).reply(() => {
      tarballRequested = true;
      return [200, gitTarball(pr.head), { "content-type": "application/x-gzip" }];
    });
    github.post(`${base}/check-runs`).reply(async () => {
      for (const started = Date.now(); !tarballRequested && Date.now() - started < 2000; ) await new Promise((resolve) => setTimeout(resolve, 10));
      tarballBeforeCheckRun = tarballRequested;
      return [201, { id: 79, html_url: "https://github.com/x/y/runs/79" }];
    });
    github.patch(`${base}/check-runs/79`).reply(200, { id: 79 });
    interceptStickyComment(github, pr);
    const { probot, queue } = await slipway();
    await probot.receive(exampleEvent("pull_request", "opened", { number: 1, pull_request: forkPullRequest }));
    await queue.onIdle();

    github.done();
    expect(tarballBeforeCheckRun).toBe(true);
    expect(bodiesOf(github, "PATCH", /check-runs\/79$/)).toEqual([expect.objectContaining({ status: "completed", conclusion: "success" })]);
  });

  it("creates no deployment when GitHub refuses the check run, and stops reading the commit", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n`, { ref: sha });
    interceptBranchHead(github, pr, "main", sha);
    github.get(`${base}/tarball/${sha}`).optionally().reply(200, gitTarball(pr.head), { "content-type": "application/x-gzip" });
    github.post(`${base}/check-runs`).reply(403, { message: "Resource not accessible by integration" });
    const { probot, queue } = await slipway();
    await probot.receive(push());
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "POST", /deployments$/)).toEqual([]);
  });
});

describe("a pull request that edits .github/slipway.yml", () => {
  it("gets a plan of the configuration change itself, checked against the server's policy", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    const current = `environments:\n  - name: staging\n    paths: ["deploy/**"]\nforks: validate\n`;
    const proposed = `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    conflicts: force\n  - name: production\n    paths: ["prod/**"]\nforks: validate\n`;
    const change: PullRequestFixture = { ...pr, base: { ".github/slipway.yml": current }, head: { ".github/slipway.yml": proposed } };
    interceptConfig(github, change, current);
    interceptTarball(github, change, change.headSha, change.head);
    github.get(`/repos/${owner}/${repo}/pulls/1/files`).query({ per_page: 100 }).reply(200, [{ sha: "a".repeat(40), filename: ".github/slipway.yml", status: "modified", additions: 3, deletions: 0, changes: 3 }]);
    interceptStickyComment(github, change);
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
    const probot = await createTestProbot(
      createSlipwayApp({ clusters: noClusters, queue, fieldManager: "slipway", policy: testPolicy({ conflictsForce: false }), configHashKey: testConfigHashKey }),
    );
    await probot.receive(exampleEvent("pull_request", "opened", { number: 1, pull_request: forkPullRequest }));
    await queue.onIdle();
    github.done();
    const [comment] = bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>;
    expect(comment?.body).toContain("### Configuration change (`.github/slipway.yml`)");
    expect(comment?.body).toContain("- ✏️ environment **staging**: `conflicts` `fail` → `force`");
    expect(comment?.body).toContain("- ➕ environment **production** added");
    expect(comment?.body).toMatch(/The server's policy would refuse it.*\n> - line 4: environment staging: conflicts: force is not granted/s);
    // No environment's manifests changed: no check run, no cluster.
    expect(bodiesOf(github, "POST", /check-runs$/)).toEqual([]);
  });
});
