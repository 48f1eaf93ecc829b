// The pull-request plan end to end: real webhook payloads into a real Probot, GitHub answered
// by nock (every request checked against GitHub's OpenAPI description), and the plan made
// against the real test cluster.
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { pino } from "pino";
import { parseManifestFile } from "../../src/manifests/parse.js";
import { expect, it } from "vitest";
import { applyAsSlipway } from "../support/apply-as-slipway.js";
import { createSlipwayApp } from "../../src/github/app.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { ClusterPool, type Clusters } from "../../src/kube/cluster-pool.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import {
  bodiesOf,
  interceptChangedFiles,
  interceptCheckRun,
  interceptConfig,
  interceptStickyComment,
  type PullRequestFixture,
} from "../support/github/pull-request-fixture.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";

const owner = "Codertocat";
const repo = "Hello-World";

const configFor = (namespace: string, extra = "") =>
  `environments:\n  - name: staging\n    paths: ["deploy/**/*.yaml"]\n    namespace: ${namespace}\n${extra}`;

const configMap = (name: string, level: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  level: "${level}"\n`;

function fixture(overrides: Partial<PullRequestFixture> = {}): PullRequestFixture {
  return {
    owner,
    repo,
    number: 7,
    baseSha: "b".repeat(40),
    headSha: "c".repeat(40),
    base: { "deploy/settings.yaml": configMap("settings", "info") },
    head: { "deploy/settings.yaml": configMap("settings", "debug"), "deploy/extra.yaml": configMap("extra", "1") },
    ...overrides,
  };
}

function pullRequestEvent(pr: PullRequestFixture, action: "opened" | "synchronize" = "opened", fork = false) {
  return exampleEvent("pull_request", action, {
    number: pr.number,
    pull_request: {
      number: pr.number,
      state: "open",
      head: { sha: pr.headSha, repo: { full_name: fork ? "someone/Hello-World" : `${owner}/${repo}` } },
      base: { sha: pr.baseSha, repo: { full_name: `${owner}/${repo}` } },
    },
  });
}

async function slipway(clusters: Clusters = testClusters(), logLines: string[] = [], policy = testPolicy()) {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
  const log = pino({ level: "trace" }, { write: (line: string) => void logLines.push(line) });
  const probot = await createTestProbot(createSlipwayApp({ clusters, queue, fieldManager: "slipway", policy, configHashKey: testConfigHashKey }), { log });
  return { probot, queue };
}

describeWithCluster("the pull-request plan", () => {
  const cluster = useCluster();

  it("posts one check run per environment and one sticky comment with the plan", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("gh");
    await applyAsSlipway({
      store: ctx.store,
      environment: "staging",
      namespace: ns,
      objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { level: "info" } }],
    });
    const pr = fixture();
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor(ns));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 501);
    interceptStickyComment(github, pr);

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(pr));
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "POST", /check-runs$/)).toEqual([
      expect.objectContaining({ name: "slipway/plan (staging)", head_sha: pr.headSha, status: "in_progress" }),
    ]);
    const [completed] = bodiesOf(github, "PATCH", /check-runs\/501$/) as Array<{ conclusion: string; output: { title: string; text: string } }>;
    expect(completed?.conclusion).toBe("success");
    expect(completed?.output.title).toBe("1 to create, 1 to change");
    const [comment] = bodiesOf(github, "POST", /issues\/7\/comments$/) as Array<{ body: string }>;
    expect(comment?.body.startsWith("<!-- slipway:plan -->")).toBe(true);
    expect(comment?.body).toContain("1 to create, 1 to change");
    expect(comment?.body).toContain('+  level: "debug"'.replace(/"/g, ""));
    expect(comment?.body).toContain(`ConfigMap/${ns}/extra`);
  });

  it("shows that a ConfigMap change rolls out the Deployment reading it, though its file did not change", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("rollout");
    const web = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: app\n          image: web:1\n          envFrom:\n            - configMapRef: { name: web-config }\n`;
    const objectsOf = (yaml: string) => parseManifestFile({ path: "x.yaml", content: yaml }).objects.map(({ object }) => object);
    await applyAsSlipway({ store: ctx.store, environment: "staging", namespace: ns, objects: [...objectsOf(web), ...objectsOf(configMap("web-config", "info"))] });
    const pr = fixture({
      headSha: "7".repeat(40),
      base: { "deploy/web.yaml": web, "deploy/config.yaml": configMap("web-config", "info") },
      head: { "deploy/web.yaml": web, "deploy/config.yaml": configMap("web-config", "debug") },
    });
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor(ns));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 506);
    interceptStickyComment(github, pr);

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(pr));
    await queue.onIdle();

    github.done();
    const [comment] = bodiesOf(github, "POST", /issues\/7\/comments$/) as Array<{ body: string }>;
    expect(comment?.body).toContain("2 to change");
    expect(comment?.body).toContain(`ConfigMap/${ns}/web-config changed → Deployment/${ns}/web will roll out`);
  });

  it("never lets a Secret value reach GitHub or the log", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("leak");
    const values = { live: "live-secret-value-1", base: "base-secret-value-2", head: "head-secret-value-3" };
    await applyAsSlipway({
      store: ctx.store,
      environment: "staging",
      namespace: ns,
      objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: values.live } }],
    });
    const secret = (value: string, extra = "") => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${value}\n${extra}`;
    const pr = fixture({
      headSha: "9".repeat(40),
      base: { "deploy/db.yaml": secret(values.base) },
      // The second document is rejected by the API server (an invalid key), whose message must not carry values either.
      head: { "deploy/db.yaml": `${secret(values.head)}---\n${secret(values.head).replace("name: db", "name: db2").replace("password:", "bad/key:")}` },
    });
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor(ns));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 505);
    interceptStickyComment(github, pr);
    const logLines: string[] = [];

    const { probot, queue } = await slipway(testClusters(), logLines);
    await probot.receive(pullRequestEvent(pr));
    await queue.onIdle();

    github.done();
    const [comment] = bodiesOf(github, "POST", /issues\/7\/comments$/) as Array<{ body: string }>;
    expect(comment?.body).toMatch(/password.*changed/);
    expect(comment?.body).toMatch(/rejected/);
    const outgoing = [JSON.stringify(github.requests.filter((request) => request.method !== "GET")), logLines.join("\n")];
    for (const text of outgoing) {
      for (const value of Object.values(values)) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString("base64"));
      }
    }
  });

  it("updates the sticky comment in place on the next push, leaving people's comments alone", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("sticky");
    const pr = fixture({ headSha: "d".repeat(40) });
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor(ns));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 502);
    interceptStickyComment(github, pr, [
      { id: 11, body: "<!-- slipway:plan --> quoted by a person", bot: false },
      { id: 12, body: "<!-- slipway:plan -->\nold plan", bot: true },
    ]);

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(pr, "synchronize"));
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "PATCH", /issues\/comments\/12$/)).toHaveLength(1);
    expect(bodiesOf(github, "POST", /comments$/)).toEqual([]);
  });

  it("plans once when GitHub redelivers the same webhook", async () => {
    const ctx = await cluster();
    const pr = fixture({ headSha: "e".repeat(40) });
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor(await ctx.namespace("redeliver")));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 503);
    interceptStickyComment(github, pr);

    const { probot, queue } = await slipway();
    const event = pullRequestEvent(pr);
    await probot.receive(event);
    await probot.receive(event);
    await queue.onIdle();

    // A second plan would have made requests no interceptor answers, failing the test.
    github.done();
    expect(bodiesOf(github, "POST", /check-runs$/)).toHaveLength(1);
  });

  it("completes the check run with what failed when the cluster cannot be reached, and keeps serving", async () => {
    const pr = fixture({ headSha: "f".repeat(40) });
    const unreachable = new ClusterPool(() => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(
        `apiVersion: v1\nkind: Config\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t0ken-value}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\ncurrent-context: gone\n`,
      );
      return kubeConfig;
    }, { retries: 1, retryBaseMs: 10 });
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, pr, configFor("apps"));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 504);
    interceptStickyComment(github, pr);

    // The next pull request, from a fork (validated without the cluster), is served as usual.
    const next = fixture({ number: 8, headSha: "8".repeat(40) });
    interceptConfig(github, next, configFor("apps"));
    interceptChangedFiles(github, next);
    interceptCheckRun(github, next, 507);
    interceptStickyComment(github, next);

    const { probot, queue } = await slipway(unreachable, [], testPolicy({ contexts: ["gone"] }));
    await probot.receive(pullRequestEvent(pr));
    await queue.onIdle();
    await probot.receive(pullRequestEvent(next, "opened", true));
    await queue.onIdle();

    github.done();
    const [completed] = bodiesOf(github, "PATCH", /check-runs\/504$/) as Array<{ conclusion: string; output: { summary: string } }>;
    expect(completed?.conclusion).toBe("failure");
    expect(completed?.output.summary).toMatch(/staging.*could not be reached/s);
    expect(JSON.stringify(github.requests)).not.toContain("t0ken-value");
    const [served] = bodiesOf(github, "PATCH", /check-runs\/507$/) as Array<{ conclusion: string }>;
    expect(served?.conclusion).toBe("success");
  });
});

it("gives a pull request from a fork a validation only, without touching any cluster", async () => {
  const pr = fixture({ headSha: "1".repeat(40) });
  const clusters: Clusters = {
    access: () => {
      throw new Error("a fork's plan asked for cluster access");
    },
  };
  const github = mockGitHub();
  interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
  interceptConfig(github, pr, configFor("apps"));
  interceptChangedFiles(github, pr);
  interceptCheckRun(github, pr, 601);
  interceptStickyComment(github, pr);

  const { probot, queue } = await slipway(clusters);
  await probot.receive(pullRequestEvent(pr, "opened", true));
  await queue.onIdle();

  github.done();
  const [comment] = bodiesOf(github, "POST", /issues\/7\/comments$/) as Array<{ body: string }>;
  expect(comment?.body).toMatch(/Validated only/);
  expect(comment?.body).toMatch(/forks/);
  const [completed] = bodiesOf(github, "PATCH", /check-runs\/601$/) as Array<{ conclusion: string }>;
  expect(completed?.conclusion).toBe("success");
});
