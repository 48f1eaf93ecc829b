// Drift on the reconcile timer, against the real control plane: someone edits an applied
// Deployment's image (`kubectl edit`: an Update by another field manager). With `drift: report`
// the reconcile posts `slipway/drift (staging)` on the applied commit once, not on every pass;
// with `drift: correct` it also re-applies the commit through the branch's job, the image is
// restored, and the next pass reports the drift gone.
import { expect, it } from "vitest";
import { applyEnvironment } from "../../src/apply/apply-environment.js";
import { defineEnvironment } from "../../src/config/schema.js";
import { createSlipwayApp, enqueueBranchApply } from "../../src/github/app.js";
import { reconcileOnce } from "../../src/github/reconcile.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { BoundedMap } from "../../src/util/bounded-map.js";
import { describeWithCluster, useCluster, type ClusterContext, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const installationId = 4343;
const web = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app, image: "registry.example.com/web:1"}]\n`;
const files = { "deploy/web.yaml": web };

interface CheckRunBody {
  name: string;
  head_sha: string;
  conclusion: string;
  output: { title: string; summary: string; text?: string };
}

/** One reconcile pass up to the drift check: the installation's repositories, the configuration, the branch's head and its files. */
function interceptReconcilePass(github: GitHubMock, params: { config: string; head: string; token: boolean }) {
  github.get("/app/installations").query(true).reply(200, [{ id: installationId, account: { login: owner, id: 1, type: "Organization" }, app_id: 1, target_type: "Organization", permissions: {}, events: [], repository_selection: "selected" }]);
  if (params.token) interceptInstallationToken(github, { installationId });
  github.get("/installation/repositories").query(true).reply(200, { total_count: 1, repositories: [{ id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, id: 1 }, default_branch: "main", private: true }] });
  interceptConfig(github, { owner, repo }, params.config);
  interceptBranchHead(github, { owner, repo }, "main", params.head);
  interceptConfig(github, { owner, repo }, params.config, { ref: params.head });
  interceptTarball(github, { owner, repo }, params.head, files);
}

async function setUp(ctx: ClusterContext, ns: string, settings: string) {
  const config = `environments:\n  - name: staging\n    paths: ["deploy/**"]\n    namespace: ${ns}\n    readinessTimeoutSeconds: 0\n${settings}`;
  const head = "d7".repeat(20);
  // The state a merge of `head` left: applied by Slipway, the inventory recording the commit.
  const environment = defineEnvironment({ name: "staging", paths: ["deploy/**"], namespace: ns, readinessTimeoutSeconds: 0 });
  const applied = await applyEnvironment({ environment, files: Object.entries(files).map(([path, content]) => ({ path, content })), commit: head, owner: `${owner}/${repo}`, store: ctx.store, context: "test", fieldManager: "slipway", configHashKey: testConfigHashKey });
  expect(applied.outcome).toBe("applied");
  // `kubectl edit`: a strategic merge patch, an Update by its own field manager, which takes the field over.
  await ctx.client.request({
    method: "PATCH",
    path: `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-edit`,
    contentType: "application/strategic-merge-patch+json",
    body: { spec: { template: { spec: { containers: [{ name: "app", image: "registry.example.com/web:hotfix" }] } } } },
  });
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
  const clusters = testClusters();
  const deps = { clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey, driftMemory: new BoundedMap<string, string>(100) };
  const app = await createTestProbot(createSlipwayApp(deps));
  let round = 0;
  const reconcile = async () => {
    await reconcileOnce({ app, policy: deps.policy, enqueue: (job) => enqueueBranchApply(deps, job), round: ++round });
    await queue.onIdle();
  };
  const image = async () => ((await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" })) as KubeObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0]?.image;
  return { config, head, reconcile, image };
}

describeWithCluster("drift", () => {
  const cluster = useCluster();

  it("reports an image edited by another field manager as a check run on the applied commit, once", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("drift");
    const { config, head, reconcile, image } = await setUp(ctx, ns, "    drift: report\n");
    const github = mockGitHub();
    interceptReconcilePass(github, { config, head, token: true });
    github.post(`${base}/check-runs`).reply(201, { id: 501 });
    // The second pass finds the same drift: no new check run (an unexpected one fails the test).
    interceptReconcilePass(github, { config, head, token: false });

    await reconcile();
    await reconcile();

    github.done();
    const [report] = bodiesOf(github, "POST", /check-runs$/) as CheckRunBody[];
    expect(bodiesOf(github, "POST", /check-runs$/)).toHaveLength(1);
    expect(report).toMatchObject({ name: "slipway/drift (staging)", head_sha: head, conclusion: "neutral", output: { title: "1 object drifted from Git" } });
    expect(report?.output.summary).toContain(`- \`Deployment/${ns}/web\` changed in the cluster`);
    expect(report?.output.summary).toMatch(/`\.spec\.template\.spec\.containers\[name="app"\]\.image` is now owned by kubectl-edit \(manual edit, Update\)/);
    expect(report?.output.summary).toMatch(/Slipway only reports this \(`drift: report`\)/);
    expect(report?.output.text).toContain("-        - image: registry.example.com/web:hotfix\n+        - image: registry.example.com/web:1\n");
    // Reported, not corrected.
    expect(await image()).toBe("registry.example.com/web:hotfix");
  });

  it("with drift: correct, re-applies the commit and restores the field, then reports the drift gone", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("correct");
    const { config, head, reconcile, image } = await setUp(ctx, ns, "    drift: correct\n    conflicts: force\n");
    const github = mockGitHub();
    interceptReconcilePass(github, { config, head, token: true });
    github.post(`${base}/check-runs`).reply(201, { id: 511 });
    // The correction: the branch's job again, which applies the head (still the head) as a push would.
    interceptBranchHead(github, { owner, repo }, "main", head);
    interceptConfig(github, { owner, repo }, config, { ref: head });
    github.post(`${base}/check-runs`).reply(201, { id: 512, html_url: `https://github.com/${owner}/${repo}/runs/512` });
    github.post(`${base}/deployments`).reply(201, { id: 612 });
    github.post(`${base}/deployments/612/statuses`).times(2).reply(201, { id: 1 });
    interceptTarball(github, { owner, repo }, head, files);
    github.patch(`${base}/check-runs/512`).reply(200, { id: 512 });
    github.get(`${base}/commits/${head}/pulls`).reply(200, []);
    // The next pass: the cluster matches Git again, which is news: one success check run.
    interceptReconcilePass(github, { config, head, token: false });
    github.post(`${base}/check-runs`).reply(201, { id: 513 });

    await reconcile();
    expect(await image()).toBe("registry.example.com/web:1");
    await reconcile();

    github.done();
    const created = bodiesOf(github, "POST", /check-runs$/) as CheckRunBody[];
    expect(created.map((run) => [run.name, run.conclusion ?? "in progress"])).toEqual([
      ["slipway/drift (staging)", "neutral"],
      ["slipway/apply (staging)", "in progress"],
      ["slipway/drift (staging)", "success"],
    ]);
    expect(created[0]?.output.summary).toMatch(/Slipway re-applies this commit now/);
    const [applied] = bodiesOf(github, "PATCH", /check-runs\/512$/) as CheckRunBody[];
    expect(applied).toMatchObject({ conclusion: "success", output: { title: "1 configured" } });
    expect(applied?.output.summary).toContain("kubectl-edit");
    expect(created[2]?.output.title).toBe("No drift: the cluster matches Git");
  });
});
