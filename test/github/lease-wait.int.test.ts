// No job holds a slot while it waits for a Lease: with one apply slot, an environment whose Lease
// another copy of the app holds does not stop another repository's apply; its job comes back
// later, and once the other holder stops renewing (it died without releasing), the Lease lapses
// a lease duration after this process last saw it change — across the job's separate attempts —
// and the waiting commit is applied.
import { ProbotOctokit } from "probot";
import { expect, it } from "vitest";
import { withLease } from "../../src/apply/lease.js";
import { defaultLeaseTiming } from "../../src/apply/lease-types.js";
import { defineEnvironment } from "../../src/config/schema.js";
import { applyPush } from "../../src/github/apply-push.js";
import { microTime } from "../../src/apply/lease-record.js";
import { inventoryName } from "../../src/desired/applyset.js";
import { createSlipwayApp } from "../../src/github/app.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const configIn = (namespace: string) => `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${namespace}\n`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clusterPool = () =>
  testClusters();

describeWithCluster("an apply waiting for another copy's Lease", () => {
  const cluster = useCluster();

  it("holds no apply slot while it waits, and applies once the other holder's Lease lapses", async () => {
    const ctx = await cluster();
    const waitingNs = await ctx.namespace("leased");
    const otherNs = await ctx.namespace("free");
    const sha = "6a".repeat(20);
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${waitingNs}/leases`;
    const leaseName = `${inventoryName("staging")}-lock`;
    // Another copy of the app holds the environment's Lease and renews it, with a 2 s duration.
    await ctx.store.client.request({
      method: "POST",
      path: leasePath,
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: leaseName }, spec: { holderIdentity: "other-replica", leaseDurationSeconds: 2, renewTime: microTime(Date.now()) } },
    });
    let renewing = true;
    const renewer = (async () => {
      while (renewing) {
        const { body } = await ctx.store.client.request<KubeObject>({ method: "GET", path: `${leasePath}/${leaseName}` });
        await ctx.store.client.request({ method: "PUT", path: `${leasePath}/${leaseName}`, body: { ...body, spec: { ...(body.spec as object), renewTime: microTime(Date.now()) } } });
        await sleep(300);
      }
    })();

    const completed: string[] = [];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    const waiting = { owner, repo: "Hello-World" };
    const free = { owner, repo: "Other" };
    // The waiting job reads the branch and the configuration each time it comes back.
    interceptBranchHead(github, waiting, "main", sha, 100);
    interceptConfig(github, waiting, configIn(waitingNs), { ref: sha, times: 100 });
    interceptBranchHead(github, free, "main", sha);
    interceptConfig(github, free, configIn(otherNs), { ref: sha });
    for (const [{ repo }, id] of [[waiting, 900], [free, 800]] as const) {
      github.post(`/repos/${owner}/${repo}/check-runs`).reply(201, { id });
      github.post(`/repos/${owner}/${repo}/deployments`).reply(201, { id: id + 1 });
      github.post(`/repos/${owner}/${repo}/deployments/${id + 1}/statuses`).times(2).reply(201, { id: 1 });
      github.patch(`/repos/${owner}/${repo}/check-runs/${id}`).reply(200, (_uri, body) => (completed.push(`${repo}: ${(body as { conclusion?: string }).conclusion}`), { id }));
      github.get(`/repos/${owner}/${repo}/commits/${sha}/pulls`).reply(200, []);
    }
    interceptTarball(github, waiting, sha, { "deploy/cm.yaml": configMap("waited") });
    interceptTarball(github, free, sha, { "deploy/cm.yaml": configMap("free") });

    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const clusters = clusterPool();
    const probot = await createTestProbot(createSlipwayApp({ clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey, leaseRetryMs: 200 }));
    const push = (name: string) =>
      probot.receive(exampleEvent("push", undefined, { ref: "refs/heads/main", after: sha, deleted: false, repository: { name, full_name: `${owner}/${name}`, owner: { login: owner, name: owner }, default_branch: "main" } }));

    await push(waiting.repo);
    await push(free.repo);
    // The other repository's apply takes the only slot and finishes while the Lease is still held.
    await expect.poll(() => completed, { timeout: 20_000 }).toContain("Other: success");
    expect(completed).not.toContain("Hello-World: success");
    const sampled: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      sampled.push(queue.stats("apply").running);
      await sleep(150);
    }
    // Waiting is not running: at most the instant of a look at the Lease, never the whole time.
    expect(sampled.filter((running) => running === 0).length).toBeGreaterThan(4);
    const heads = () => github.requests.filter((request) => request.path === `/repos/${owner}/Hello-World/branches/main`).length;
    expect(heads()).toBeGreaterThan(2);
    expect(github.requests.some((request) => request.method === "POST" && request.path === `/repos/${owner}/Hello-World/check-runs`)).toBe(false);

    // The other copy dies without releasing: its Lease lapses 2 s after this process last saw it change.
    renewing = false;
    await renewer;
    const stopped = Date.now();
    await expect.poll(() => completed, { timeout: 20_000 }).toContain("Hello-World: success");
    const waitedMs = Date.now() - stopped;
    expect(waitedMs).toBeGreaterThanOrEqual(1_500);
    await queue.onIdle();
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: waitingNs, name: "waited" })).toBeDefined();
    const { body: lease } = await ctx.store.client.request<KubeObject>({ method: "GET", path: `${leasePath}/${leaseName}` });
    // Taken over (one more transition) and released when the apply was done.
    expect(lease.spec).toMatchObject({ leaseTransitions: 1 });
    expect((lease.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();
  });

  it("completes its check run as waiting, not failed, when another apply took the Lease after the job looked", async () => {
    const ctx = await cluster();
    const namespace = await ctx.namespace("raced");
    const sha = "7b".repeat(20);
    const github = mockGitHub();
    const base = `/repos/${owner}/Hello-World`;
    let checkRun: { conclusion?: string; output?: { title?: string; summary?: string } } = {};
    let deploymentState: string | undefined;
    github.post(`${base}/check-runs`).reply(201, { id: 910 });
    github.post(`${base}/deployments`).reply(201, { id: 911 });
    github.post(`${base}/deployments/911/statuses`).times(2).reply(201, (_uri, body) => ((deploymentState = (body as { state: string }).state), { id: 1 }));
    github.patch(`${base}/check-runs/910`).reply(200, (_uri, body) => ((checkRun = body as typeof checkRun), { id: 910 }));
    interceptTarball(github, { owner, repo: "Hello-World" }, sha, { "deploy/cm.yaml": configMap("raced") });
    const environment = { ...defineEnvironment({ name: "staging", paths: ["deploy/**"], namespace }), context: "slipway-test" };
    const log = { info: () => {}, warn: () => {}, error: () => {}, child: () => log } as never;
    const leaseOptions = { ...defaultLeaseTiming, retryPeriodMs: 100, renewDeadlineMs: 1_000, leaseDurationMs: 2_000, waitMs: 0, namespace, name: `${inventoryName("staging")}-lock`, holder: "other-replica" };
    // Another copy holds the Lease for the whole of this apply's attempt.
    const outcome = await withLease(ctx.store, leaseOptions, () =>
      applyPush(
        { octokit: new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } }), clusters: clusterPool(), fieldManager: "slipway", configHashKey: testConfigHashKey, log, leaseWaitMs: 300 },
        { owner, repo: "Hello-World", sha, branch: "main", granted: { environment } },
      ),
    );
    expect(outcome).toBe("lease-held");
    expect(checkRun.conclusion).toBe("neutral");
    expect(checkRun.output?.title).toMatch(/^Waiting: another apply of this environment is under way/);
    expect(checkRun.output?.summary).toContain("other-replica");
    expect(deploymentState).toBe("inactive");
    expect(await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "raced" })).toBeUndefined();
  });
});
