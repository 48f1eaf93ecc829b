// The canary's GitHub requests, each checked against GitHub's OpenAPI description by the nock
// harness: its check run (created with buttons at the gate, then updated), and what a finished
// canary tells GitHub — the deployment's status, and on failure a comment on the merged pull request.
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { CanaryService } from "../../src/github/canary.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { Clusters } from "../../src/kube/cluster-pool.js";
import { mockGitHub } from "../support/github/nock.js";
import { testPolicy } from "../support/policy.js";
import { aCanary, aCanaryConfig, aCheck, aLatency, aSuccessRate, NOW } from "../render/canary-builders.js";
import { bodiesOf } from "../support/github/pull-request-fixture.js";

const noClusters: Clusters = {
  access: () => {
    throw new Error("no cluster should be needed here");
  },
};

function service(clock: { now: number } = { now: NOW }) {
  const warnings: string[] = [];
  const canaries = new CanaryService({
    queue: new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 10 }),
    clusters: noClusters,
    policy: testPolicy(),
    fieldManager: "slipway",
    installationClient: () => Promise.reject(new Error("not here")),
    applyEnvironment: () => undefined,
    log: { info: () => undefined, warn: (message) => void warnings.push(message) },
    now: () => clock.now,
  });
  const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });
  return { canaries, octokit, warnings };
}

const checkRunUrl = "https://github.com/acme/deploy/runs/55";
const failedChecks = [
  aCheck(2, { verdict: "fail", metrics: [aSuccessRate({ value: 91.2, verdict: "fail" }), aLatency()] }),
  aCheck(1, { verdict: "fail", metrics: [aSuccessRate({ value: 88.5, verdict: "fail" }), aLatency()] }),
];

describe("the canary's check run", () => {
  it("is created with Promote and Abort buttons at the gate, and updated while it runs", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/check-runs").reply(201, { id: 55, html_url: checkRunUrl });
    github.patch("/repos/acme/deploy/check-runs/56").reply(200, { id: 56 });
    const { canaries, octokit } = service();

    const gate = await canaries.report(octokit, aCanary({ phase: "awaiting-promotion", weight: 50 }));
    expect(gate).toMatchObject({ id: 55, url: checkRunUrl, completed: true });
    await canaries.report(octokit, aCanary({ checkRun: { id: 56, url: checkRunUrl } }));

    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual(["checks/create", "checks/update"]);
    const created = github.requests[0]!.body as { conclusion: string; actions: Array<{ identifier: string }> };
    expect(created.conclusion).toBe("action_required");
    expect(created.actions.map((action) => action.identifier)).toContain("canary-promote");
  });
});

describe("the canary's check run, rate-aware", () => {
  it("is updated at once when the canary moves, and for a check that moved nothing at most once a minute", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/check-runs").reply(201, { id: 60, html_url: checkRunUrl });
    github.patch("/repos/acme/deploy/check-runs/60").times(2).reply(200, { id: 60 });
    const clock = { now: NOW };
    const { canaries, octokit } = service(clock);
    const atStep = aCanary({ phase: "progressing", stepIndex: 1, weight: 10, checks: [aCheck(1)] });
    const sent = async (state: typeof atStep) => ({ ...state, checkRun: await canaries.report(octokit, state) });

    let state = await sent(atStep);
    // Another passing check 10 s later at the same step: its numbers change, the canary did not move.
    clock.now += 10_000;
    state = await sent({ ...state, checks: [...state.checks, aCheck(0, { weight: 10, stepIndex: 1, requests: 400 })] });
    expect(github.requests).toHaveLength(1);
    // A minute after the last update, the latest numbers go out.
    clock.now += 51_000;
    state = await sent({ ...state, checks: [...state.checks, aCheck(0, { weight: 10, stepIndex: 1, requests: 410 })] });
    expect(github.requests).toHaveLength(2);
    // The next step: at once.
    clock.now += 1_000;
    await sent({ ...state, stepIndex: 2, weight: 25 });
    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual(["checks/create", "checks/update", "checks/update"]);
  });

  it("opens no new run at the manual gate for a check that moved nothing, and one when someone promotes", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/check-runs").reply(201, { id: 61, html_url: checkRunUrl });
    github.post("/repos/acme/deploy/check-runs").reply(201, { id: 62, html_url: checkRunUrl });
    const clock = { now: NOW };
    const { canaries, octokit } = service(clock);
    const gate = aCanary({ phase: "awaiting-promotion", weight: 50, checks: [aCheck(1)] });
    const checkRun = await canaries.report(octokit, gate);
    clock.now += 5 * 60_000;
    const later = { ...gate, checkRun, checks: [...gate.checks, aCheck(0, { requests: 999 })] };
    expect(await canaries.report(octokit, later)).toEqual(checkRun);
    expect(github.requests).toHaveLength(1);
    const promoting = await canaries.report(octokit, { ...later, phase: "promoting", events: [...later.events, { at: new Date(clock.now).toISOString(), by: "alice", via: "pull request comment", what: "/canary promote" }] });
    expect(promoting).toMatchObject({ id: 62 });
    github.done();
  });
});

describe("a finished canary", () => {
  it("fails the deployment and comments on the merged pull request: which metric, value against threshold, the query, and that traffic is back on stable", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/deployments/901/statuses").reply(201, { id: 1, state: "failure" });
    github.post("/repos/acme/deploy/issues/42/comments").reply(201, { id: 2 });
    const { canaries, octokit, warnings } = service();
    const state = aCanary({ phase: "failed", weight: 0, failedChecks: 2, checks: failedChecks, deployment: 901, checkRun: { id: 55, url: checkRunUrl, completed: true }, message: "Rolled back: success-rate 88.50 % < 99 % (2 failed checks)." });

    await canaries.finished(octokit, state);

    github.done();
    expect(warnings).toEqual([]);
    expect(github.requests.map((request) => request.operationId)).toEqual(["repos/create-deployment-status", "issues/create-comment"]);
    const status = github.requests[0]!.body as { state: string; description: string; log_url: string };
    expect(status).toMatchObject({ state: "failure", log_url: checkRunUrl });
    expect(status.description).toMatch(/^rolled back after 2 failed checks: success rate 88\.5 % < 99 %; all traffic is back on the stable/);
    expect(status.description.length).toBeLessThanOrEqual(140);
    const { body } = github.requests[1]!.body as { body: string };
    expect(body).toContain("The canary of `Deployment/apps/web` in **production** failed");
    expect(body).toMatch(/\| success rate \| 88\.5 % \| ≥ 99 % \| ❌ fail \|/);
    expect(body).toContain("```promql");
    expect(body).toContain(aSuccessRate().query);
    expect(body).toContain("all traffic is back on the stable Deployment");
    expect(body).toContain("`/canary retry web`");
  });

  it("offers /canary revert in the comment when the canary's entry sets revertPullRequest, and not otherwise", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/issues/42/comments").times(2).reply(201, { id: 2 });
    const { canaries, octokit } = service();
    const failed = aCanary({ phase: "failed", weight: 0, failedChecks: 2, checks: failedChecks });
    await canaries.finished(octokit, { ...failed, config: aCanaryConfig({ revertPullRequest: true }) });
    await canaries.finished(octokit, failed);
    github.done();
    const [opted, off] = (bodiesOf(github, "POST", /comments$/) as Array<{ body: string }>).map((comment) => comment.body);
    expect(opted).toContain("To undo the merge, comment `/canary revert web` (or press Revert on the check run): Slipway opens a pull request that reverts it.");
    expect(off).toContain("`/canary retry web`");
    expect(off).not.toContain("/canary revert");
  });

  it("names the query that failed when the preflight stopped it before any traffic moved", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/deployments/901/statuses").reply(201, { id: 1, state: "failure" });
    github.post("/repos/acme/deploy/issues/42/comments").reply(201, { id: 2 });
    const { canaries, octokit } = service();
    const broken = aSuccessRate({ value: null, verdict: "error", query: "sum(rate(broken[1m]", message: "answered 400 (bad_data): parse error" });
    const state = aCanary({ phase: "failed", weight: 0, stepIndex: 0, deployment: 901, checks: [aCheck(0, { stepIndex: 0, weight: 0, verdict: "error", metrics: [broken, aLatency()] })], message: "Stopped before any traffic moved: success rate: answered 400 (bad_data): parse error." });

    await canaries.finished(octokit, state);

    github.done();
    const { body } = github.requests[1]!.body as { body: string };
    expect(body).toContain("stopped before any traffic moved: success rate could not be queried");
    expect(body).toContain("sum(rate(broken[1m]");
    expect(body).toContain("parse error");
  });

  it.each([
    ["succeeded", {}, "success", /^Canary promoted: revision 5f1c2e9a0b3d7c6e serves all traffic$/],
    ["succeeded", { revert: { promotedAt: "2024-05-01T09:00:00.000Z" } }, "success", /^Reverted to revision 5f1c2e9a0b3d7c6e, promoted at once$/],
    ["aborted", {}, "inactive", /aborted/],
    ["superseded", {}, "inactive", /superseded/],
  ] as const)("%s %j: deployment %s, and no comment", async (phase, extra, expected, description) => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/deployments/901/statuses").reply(201, { id: 1, state: expected });
    const { canaries, octokit } = service();
    await canaries.finished(octokit, aCanary({ phase, deployment: 901, ...extra }));
    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual(["repos/create-deployment-status"]);
    expect(github.requests[0]!.body).toMatchObject({ state: expected, environment: "production", description: expect.stringMatching(description) as unknown });
  });

  it("keeps going when GitHub refuses: the canary is not stopped by its reporting", async () => {
    const github = mockGitHub();
    github.post("/repos/acme/deploy/deployments/901/statuses").reply(503, { message: "unavailable" });
    github.post("/repos/acme/deploy/issues/42/comments").reply(201, { id: 2 });
    const { canaries, octokit, warnings } = service();
    await canaries.finished(octokit, aCanary({ phase: "failed", weight: 0, checks: failedChecks, failedChecks: 2, deployment: 901 }));
    github.done();
    expect(warnings.join()).toMatch(/deployment status not set/);
  });
});

describe("a canary's ticks", () => {
  it("has one next tick at a time: a tick asked for meanwhile takes the scheduled one's place instead of starting a second chain", async () => {
    const { canaries, warnings } = service();
    // A context the policy does not grant: each tick only says so, and schedules nothing after it.
    const handle = { where: { namespace: "apps", name: "slipway-canary-web" }, repository: "acme/web", context: "elsewhere", installation: 1 };
    const ticks = () => warnings.filter((warning) => warning.includes("no longer lets acme/web use context elsewhere")).length;

    canaries.schedule(handle, 60); // the tick a check scheduled
    canaries.schedule(handle, 0); // a command: now, in its place
    canaries.schedule(handle, 60); // what that tick schedules next
    await new Promise((resolve) => setTimeout(resolve, 250));

    expect(ticks()).toBe(2);
  });
});
