// Apply on merge end to end: a real push payload into Probot, GitHub answered by nock (every
// request checked against the OpenAPI description), and the apply made on the real cluster.
import { pino } from "pino";
import type { Logger } from "probot";
import { expect, it } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { noObserver, type Observer } from "../../src/observability/observer.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, examplePushEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: "${value}"\n`;

async function slipway(options: { log?: Logger } = {}) {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
  const clusters = testClusters();
  // What the metrics hear: Leases held (+1 on acquire, -1 on release or loss) and failed renewals.
  const leases: Array<1 | -1 | "renew-failed"> = [];
  const observer: Observer = { ...noObserver, leaseHeld: (delta) => leases.push(delta), leaseRenewFailed: () => leases.push("renew-failed") };
  const app = createSlipwayApp({ clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey, observer });
  return { probot: await createTestProbot(app, options.log ? { log: options.log } : {}), queue, leases };
}

const pushEvent = (sha: string) => examplePushEvent(sha, { owner, repo });

/** What GitHub answers around one apply: config, check run, deployment, tarball. */
function interceptApplyRound(github: GitHubMock, params: { sha: string; namespace: string; checkRun: number; deployment: number; files: Record<string, string> }) {
  interceptConfig(github, { owner, repo }, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${params.namespace}\n    readinessTimeoutSeconds: 30\n`, { ref: params.sha });
  github.post(`${base}/check-runs`).reply(201, { id: params.checkRun, html_url: `https://github.com/${owner}/${repo}/runs/${params.checkRun}` });
  interceptBranchHead(github, { owner, repo }, "main", params.sha);
  github.post(`${base}/deployments`).reply(201, { id: params.deployment });
  github.post(`${base}/deployments/${params.deployment}/statuses`).times(2).reply(201, { id: 1 });
  interceptTarball(github, { owner, repo }, params.sha, params.files);
  github.patch(`${base}/check-runs/${params.checkRun}`).reply(200, { id: params.checkRun });
}

describeWithCluster("apply on push", () => {
  const cluster = useCluster();

  it("applies the environment, reports a check run and a deployment, and comments on the merged pull request", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("push");
    const sha = "a1".repeat(20);
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptApplyRound(github, { sha, namespace: ns, checkRun: 801, deployment: 901, files: { "deploy/settings.yaml": configMap("info"), "README.md": "# not a manifest\n" } });
    github.get(`${base}/commits/${sha}/pulls`).reply(200, [{ number: 12, merged_at: "2026-11-25T12:00:00Z" }]);
    github.post(`${base}/issues/12/comments`).reply(201, { id: 1 });

    const { probot, queue, leases } = await slipway();
    await probot.receive(pushEvent(sha));
    await queue.onIdle();

    github.done();
    expect(leases).toEqual([1, -1]);
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "settings" });
    expect((live?.data as Record<string, string>).level).toBe("info");
    expect(bodiesOf(github, "POST", /deployments$/)).toEqual([
      expect.objectContaining({ ref: sha, environment: "staging", auto_merge: false, required_contexts: [] }),
    ]);
    expect(bodiesOf(github, "POST", /statuses$/).map((body) => (body as { state: string }).state)).toEqual(["in_progress", "success"]);
    const [completed] = bodiesOf(github, "PATCH", /check-runs\/801$/) as Array<{ conclusion: string; output: { title: string } }>;
    expect(completed).toMatchObject({ conclusion: "success", output: { title: "1 created" } });
    const [comment] = bodiesOf(github, "POST", /issues\/12\/comments$/) as Array<{ body: string }>;
    expect(comment?.body).toMatch(/applied `a1a1a1a1a1a1` to \*\*staging\*\*: 1 created/);
  });

  it("applies the newer commit when two pushes are delivered in reverse order, and says the older one is not the head", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("reverse");
    const [older, newer] = ["d4".repeat(20), "e5".repeat(20)];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    // The branch points at the newer commit by the time Slipway looks, whatever order the webhooks came in.
    interceptApplyRound(github, { sha: newer, namespace: ns, checkRun: 804, deployment: 904, files: { "deploy/settings.yaml": configMap("newer") } });
    github.get(`${base}/commits/${newer}/pulls`).reply(200, []);
    // The older push's job: the branch's head, its configuration, and a check run saying why nothing was applied.
    interceptBranchHead(github, { owner, repo }, "main", newer);
    interceptConfig(github, { owner, repo }, `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${ns}\n`, { ref: newer });
    github.post(`${base}/check-runs`).reply(201, { id: 805 });

    const { probot, queue } = await slipway();
    await probot.receive(pushEvent(newer));
    await probot.receive(pushEvent(older));
    await queue.onIdle();

    github.done();
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "settings" });
    expect((live?.data as Record<string, string>).level).toBe("newer");
    const created = bodiesOf(github, "POST", /check-runs$/) as Array<{ head_sha: string; conclusion?: string; output?: { title: string } }>;
    expect(created.map((run) => run.head_sha).sort()).toEqual([older, newer].sort());
    expect(created.find((run) => run.head_sha === older)).toMatchObject({ conclusion: "skipped", output: { title: "Not applied: not the head of main" } });
    expect(bodiesOf(github, "POST", /deployments$/)).toEqual([expect.objectContaining({ ref: newer })]);
  });

  it("logs every line of an apply with its delivery, repository, branch, environment and commit", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("logs");
    const sha = "f6".repeat(20);
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptApplyRound(github, { sha, namespace: ns, checkRun: 806, deployment: 906, files: { "deploy/settings.yaml": configMap("info") } });
    github.get(`${base}/commits/${sha}/pulls`).reply(200, []);
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

    const { probot, queue } = await slipway({ log });
    const push = pushEvent(sha);
    await probot.receive(push);
    await queue.onIdle();

    github.done();
    const leaseLines = lines.filter((line) => typeof line.msg === "string" && line.msg.startsWith("Lease of staging: "));
    expect(leaseLines.map((line) => (line.msg as string).replace(/ by \S+ after \d+ ms.*/, ""))).toEqual(["Lease of staging: acquired", "Lease of staging: released"]);
    for (const line of leaseLines) {
      expect(line).toMatchObject({ delivery: push.id, repository: `${owner}/${repo}`, branch: "main", environment: "staging", commit: sha });
    }
  });

  it("skips a push whose commit is behind the one already applied", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("behind");
    const [newer, older] = ["b2".repeat(20), "c3".repeat(20)];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptApplyRound(github, { sha: newer, namespace: ns, checkRun: 802, deployment: 902, files: { "deploy/settings.yaml": configMap("new") } });
    github.get(`${base}/commits/${newer}/pulls`).reply(200, []);
    interceptApplyRound(github, { sha: older, namespace: ns, checkRun: 803, deployment: 903, files: { "deploy/settings.yaml": configMap("old") } });
    github.get(`${base}/compare/${newer}...${older}`).query(true).reply(200, { status: "behind", ahead_by: 0, behind_by: 1 });

    const { probot, queue } = await slipway();
    await probot.receive(pushEvent(newer));
    await queue.onIdle();
    await probot.receive(pushEvent(older));
    await queue.onIdle();

    github.done();
    const [skipped] = bodiesOf(github, "PATCH", /check-runs\/803$/) as Array<{ conclusion: string; output: { summary: string } }>;
    expect(skipped?.conclusion).toBe("skipped");
    expect(skipped?.output.summary).toMatch(/older than/);
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "settings" });
    expect((live?.data as Record<string, string>).level).toBe("new");
  });
});
