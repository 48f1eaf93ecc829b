// Kustomize overlays and Helm charts as environments' sources, through the whole app: webhook
// payloads into Probot, GitHub answered by nock (checked against its OpenAPI description), both
// revisions read from tarballs and rendered by the pinned kustomize and helm, and the plans and
// applies made against the real test cluster.
import { describe, expect, it } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { describeWithCluster, testClusters, useCluster } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent, examplePushEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";
import { bodiesOf, interceptBranchHead, interceptConfig, interceptStickyComment, interceptTarball } from "../support/github/pull-request-fixture.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";
import { renderTools } from "../support/render-tools.js";

const owner = "Codertocat";
const repo = "Hello-World";
const api = `/repos/${owner}/${repo}`;
const [baseSha, headSha] = ["b".repeat(40), "c".repeat(40)];

// A shop as Kustomize users keep one: a base, a component, and two overlays that use both.
const shop = (options: { logLevel?: string; productionReplicas?: number } = {}): Record<string, string> => ({
  "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\nconfigMapGenerator:\n  - name: shop-config\n    files:\n      - config.properties\n",
  "base/config.properties": `logLevel=${options.logLevel ?? "warn"}\n`,
  "base/deployment.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: shop }\n  template:\n    metadata:\n      labels: { app: shop }\n    spec:\n      containers:\n        - name: shop\n          image: shop:1.0\n          envFrom:\n            - configMapRef: { name: shop-config }\n",
  "base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  selector: { app: shop }\n  ports:\n    - port: 80\n",
  "components/tracing/kustomization.yaml":
    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: { kind: Deployment }\n    patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: any\n        annotations:\n          tracing.example.com/enabled: \"true\"\n",
  "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\nnamePrefix: staging-\n",
  "overlays/production/kustomization.yaml": "resources:\n  - ../../base\n  - pdb.yaml\nnamePrefix: prod-\ncomponents:\n  - ../../components/tracing\npatches:\n  - path: replicas.yaml\n",
  "overlays/production/replicas.yaml": `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: ${options.productionReplicas ?? 3}\n`,
  "overlays/production/pdb.yaml": "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: shop\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: { app: shop }\n",
  "docs/README.md": "# The shop\n",
});

// A chart with a values file per environment on top of its defaults.
const chart = (options: { productionImage?: string } = {}): Record<string, string> => ({
  "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
  "charts/web/values.yaml": "replicas: 1\nimage: web:1.0\ngreeting: hello\n",
  "charts/web/templates/deployment.yaml":
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels: { app: {{ .Release.Name }} }\n  template:\n    metadata:\n      labels: { app: {{ .Release.Name }} }\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n",
  "charts/web/templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
  "environments/production/values.yaml": "replicas: 2\n",
  "environments/production/values-eu.yaml": `image: ${options.productionImage ?? "web:1.0"}\ngreeting: hallo\n`,
});

const pullRequestEvent = (number: number) =>
  exampleEvent("pull_request", "opened", {
    number,
    pull_request: { number, state: "open", head: { sha: headSha, repo: { full_name: `${owner}/${repo}` } }, base: { sha: baseSha, repo: { full_name: `${owner}/${repo}` } } },
  });

const pushEvent = (sha: string) => examplePushEvent(sha, { owner, repo });

async function slipway() {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
  const app = createSlipwayApp({ clusters: testClusters(), queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey, render: { tools: renderTools } });
  return { probot: await createTestProbot(app), queue };
}

/** A pull request from `base` to `head`: its changed files, and both revisions' tarballs (read only when a rendered source needs them). */
function interceptPullRequest(github: GitHubMock, params: { number: number; config: string; base: Record<string, string>; head: Record<string, string>; checkRuns: number[] }) {
  interceptConfig(github, { owner, repo }, params.config);
  const paths = [...new Set([...Object.keys(params.base), ...Object.keys(params.head)])].sort();
  const changed = paths.filter((path) => params.base[path] !== params.head[path]);
  github
    .get(`${api}/pulls/${params.number}/files`)
    .query({ per_page: 100 })
    .reply(200, changed.map((path) => ({ sha: "0".repeat(40), filename: path, status: params.base[path] === undefined ? "added" : params.head[path] === undefined ? "removed" : "modified", additions: 1, deletions: 1, changes: 2 })));
  interceptTarball(github, { owner, repo }, headSha, params.head);
  interceptTarball(github, { owner, repo }, baseSha, params.base);
  for (const id of params.checkRuns) {
    github.post(`${api}/check-runs`).reply(201, { id, html_url: `https://github.com/${owner}/${repo}/runs/${id}`, status: "in_progress" });
    github.patch(`${api}/check-runs/${id}`).reply(200, { id });
  }
  interceptStickyComment(github, { owner, repo, number: params.number, baseSha, headSha, base: {}, head: {} });
}

type CheckRunBody = { name?: string; conclusion: string; output: { title: string; text?: string; annotations?: Array<{ path: string; start_line: number; message: string }> } };

describeWithCluster("Kustomize and Helm sources", () => {
  const cluster = useCluster();
  const kustomizeConfig = (staging: string, production: string) =>
    `environments:\n  - name: staging\n    kustomize: overlays/staging\n    namespace: ${staging}\n  - name: production\n    kustomize: overlays/production\n    namespace: ${production}\n`;

  it("plans a change to a base for every overlay that uses it, rendering both revisions", async () => {
    const ctx = await cluster();
    const [staging, production] = [await ctx.namespace("kst"), await ctx.namespace("kpr")];
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptPullRequest(github, { number: 21, config: kustomizeConfig(staging, production), base: shop(), head: shop({ logLevel: "debug" }), checkRuns: [601, 602] });

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(21));
    await queue.onIdle();

    github.done();
    expect((bodiesOf(github, "POST", /check-runs$/) as CheckRunBody[]).map((run) => run.name)).toEqual(["slipway/plan (staging)", "slipway/plan (production)"]);
    const [stagingRun, productionRun] = [601, 602].map((id) => (bodiesOf(github, "PATCH", new RegExp(`check-runs/${id}$`)) as CheckRunBody[])[0]!);
    // As for plain files, the plan shows what the change changes: the generated ConfigMap (its name
    // hashes its data) and the Deployment that reads it; the Service and the PDB render the same
    // at both revisions. Named and namespaced by each overlay, placed on the files people edit.
    for (const [run, namespace, prefix] of [[stagingRun, staging, "staging"], [productionRun, production, "prod"]] as const) {
      expect(run).toMatchObject({ conclusion: "success", output: { title: "2 to create" } });
      expect(run?.output.text).toMatch(new RegExp(`<code>Deployment/${namespace}/${prefix}-shop</code> will be created</summary>\\s+Defined in \`base/deployment\\.yaml:1\``));
      expect(run?.output.text).toMatch(new RegExp(`<code>ConfigMap/${namespace}/${prefix}-shop-config-\\w+</code> will be created</summary>\\s+Defined in \`base/kustomization\\.yaml:1\``));
      expect(run?.output.text).not.toContain("Service/");
    }
    const [comment] = bodiesOf(github, "POST", /issues\/21\/comments$/) as Array<{ body: string }>;
    expect(comment?.body).toContain("tracing.example.com/enabled");
    expect(comment?.body).toContain(`Deployment/${staging}/staging-shop`);
  });

  it("plans nothing for a change no source reads", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    interceptConfig(github, { owner, repo }, kustomizeConfig("a", "b"));
    github.get(`${api}/pulls/22/files`).query({ per_page: 100 }).reply(200, [{ sha: "0".repeat(40), filename: "docs/README.md", status: "modified", additions: 1, deletions: 1, changes: 2 }]);
    const head = { ...shop(), "docs/README.md": "# The shop, documented\n" };
    interceptTarball(github, { owner, repo }, headSha, head);
    interceptTarball(github, { owner, repo }, baseSha, shop());

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(22));
    await queue.onIdle();

    github.done();
    expect(bodiesOf(github, "POST", /check-runs$/)).toEqual([]);
    expect(bodiesOf(github, "POST", /comments$/)).toEqual([]);
  });

  it("fails the plan with the API server's refusal annotated on the overlay's file", async () => {
    const ctx = await cluster();
    const production = await ctx.namespace("kbad");
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    const head = { ...shop(), "overlays/production/pdb.yaml": shop()["overlays/production/pdb.yaml"]!.replace("minAvailable: 1", "minAvailable: 1\n  maxUnavailable: 1") };
    interceptPullRequest(github, { number: 23, config: `environments:\n  - name: production\n    kustomize: overlays/production\n    namespace: ${production}\n`, base: shop(), head, checkRuns: [603] });

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(23));
    await queue.onIdle();

    github.done();
    const [run] = bodiesOf(github, "PATCH", /check-runs\/603$/) as CheckRunBody[];
    expect(run?.conclusion).toBe("failure");
    // minAvailable and maxUnavailable together: the PDB's validation refuses it, on the overlay's file and the object's line.
    expect(run?.output.annotations).toEqual([expect.objectContaining({ path: "overlays/production/pdb.yaml", start_line: 1, message: expect.stringMatching(/minAvailable/) })]);
  });

  it("applies an overlay on push, and a re-apply with a changed base rolls the Deployment out and prunes the old generated ConfigMap", async () => {
    const ctx = await cluster();
    const production = await ctx.namespace("kapply");
    const config = `environments:\n  - name: production\n    kustomize: overlays/production\n    namespace: ${production}\n    readinessTimeoutSeconds: 0\n`;
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    const { probot, queue } = await slipway();
    const rounds: Array<[string, Record<string, string>, number]> = [
      ["a1".repeat(20), shop(), 811],
      ["a2".repeat(20), shop({ logLevel: "debug", productionReplicas: 5 }), 812],
    ];
    for (const [sha, files, id] of rounds) {
      interceptConfig(github, { owner, repo }, config, { ref: sha });
      github.post(`${api}/check-runs`).reply(201, { id, html_url: `https://github.com/${owner}/${repo}/runs/${id}` });
      interceptBranchHead(github, { owner, repo }, "main", sha);
      github.post(`${api}/deployments`).reply(201, { id: id + 100 });
      github.post(`${api}/deployments/${id + 100}/statuses`).times(2).reply(201, { id: 1 });
      interceptTarball(github, { owner, repo }, sha, files);
      github.patch(`${api}/check-runs/${id}`).reply(200, { id });
      github.get(`${api}/commits/${sha}/pulls`).reply(200, []);
      // Not older than the commit applied before it.
      if (id === 812) github.get(`${api}/compare/${rounds[0]![0]}...${sha}`).query(true).reply(200, { status: "ahead", ahead_by: 1, behind_by: 0 });
      await probot.receive(pushEvent(sha));
      await queue.onIdle();
    }

    github.done();
    const [first, second] = [811, 812].map((id) => (bodiesOf(github, "PATCH", new RegExp(`check-runs/${id}$`)) as CheckRunBody[])[0]!);
    expect(first).toMatchObject({ conclusion: "success", output: { title: "4 created" } });
    // A new generated ConfigMap (its name hashes its data), the Deployment that reads it, the old one pruned.
    expect(second).toMatchObject({ conclusion: "success" });
    expect(second?.output.title).toMatch(/1 created, 1 configured.*1 pruned/);
    const deployment = await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: production, name: "prod-shop" });
    expect(deployment?.spec).toMatchObject({ replicas: 5 });
    expect((deployment?.metadata as { annotations?: Record<string, string> }).annotations?.["tracing.example.com/enabled"]).toBe("true");
    const configMaps = await ctx.store.list({ apiVersion: "v1", kind: "ConfigMap", namespace: production });
    const generated = configMaps.filter((object) => (object.metadata.name ?? "").startsWith("prod-shop-config-"));
    expect(generated.map((object) => (object.data as Record<string, string>)["config.properties"])).toEqual(["logLevel=debug\n"]);
    // No origin annotation reached the cluster.
    expect(JSON.stringify(deployment)).not.toContain("config.kubernetes.io/origin");
  });

  describe("a Helm chart with a values file per environment", () => {
    it("plans and applies it, with the environment's values on top of the chart's", async () => {
      const ctx = await cluster();
      const production = await ctx.namespace("helm");
      const config = `environments:\n  - name: production\n    namespace: ${production}\n    readinessTimeoutSeconds: 0\n    helm:\n      chart: charts/web\n      releaseName: shop\n      values: [environments/production/values.yaml, environments/production/values-eu.yaml]\n`;
      const github = mockGitHub();
      interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
      const { probot, queue } = await slipway();

      const sha = "a3".repeat(20);
      interceptConfig(github, { owner, repo }, config, { ref: sha });
      github.post(`${api}/check-runs`).reply(201, { id: 821, html_url: `https://github.com/${owner}/${repo}/runs/821` });
      interceptBranchHead(github, { owner, repo }, "main", sha);
      github.post(`${api}/deployments`).reply(201, { id: 921 });
      github.post(`${api}/deployments/921/statuses`).times(2).reply(201, { id: 1 });
      interceptTarball(github, { owner, repo }, sha, chart());
      github.patch(`${api}/check-runs/821`).reply(200, { id: 821 });
      github.get(`${api}/commits/${sha}/pulls`).reply(200, []);
      await probot.receive(pushEvent(sha));
      await queue.onIdle();

      const deployment = await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: production, name: "shop" });
      expect(deployment?.spec).toMatchObject({ replicas: 2 });
      const greeting = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: production, name: "shop-greeting" });
      expect(greeting?.data).toEqual({ greeting: "hallo" });

      // A pull request that changes the EU values file: only the Deployment changes, placed on its template.
      interceptPullRequest(github, { number: 24, config, base: chart(), head: chart({ productionImage: "web:2.0" }), checkRuns: [604] });
      await probot.receive(pullRequestEvent(24));
      await queue.onIdle();

      github.done();
      const [run] = bodiesOf(github, "PATCH", /check-runs\/604$/) as CheckRunBody[];
      expect(run).toMatchObject({ conclusion: "success", output: { title: "1 to change" } });
      expect(run?.output.text).toContain("charts/web/templates/deployment.yaml");
      expect(run?.output.text).toContain("web:2.0");
    });
  });

  it("plans a repository that mixes plain, kustomize and helm environments, each from its own files", async () => {
    const ctx = await cluster();
    const [plain, kustomized, charted] = [await ctx.namespace("mplain"), await ctx.namespace("mkust"), await ctx.namespace("mhelm")];
    const config =
      `environments:\n  - name: plain\n    paths: ["plain/**"]\n    namespace: ${plain}\n` +
      `  - name: kustomized\n    kustomize: overlays/staging\n    namespace: ${kustomized}\n` +
      `  - name: charted\n    namespace: ${charted}\n    helm:\n      chart: charts/web\n      values: [environments/production/values.yaml]\n`;
    const base = { ...shop(), ...chart(), "plain/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n" };
    const head = { ...shop({ logLevel: "error" }), ...chart({ productionImage: "web:3.0" }), "charts/web/values.yaml": "replicas: 1\nimage: web:1.1\ngreeting: hello\n", "plain/settings.yaml": base["plain/settings.yaml"].replace("info", "debug") };
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    // The plain environment reads its changed file's base version by path, as before.
    github.get((uri) => uri.includes("/contents/plain")).query({ ref: baseSha }).reply(200, { type: "file", encoding: "base64", size: base["plain/settings.yaml"].length, name: "settings.yaml", path: "plain/settings.yaml", content: Buffer.from(base["plain/settings.yaml"]).toString("base64"), sha: "1".repeat(40) });
    interceptPullRequest(github, { number: 25, config, base, head, checkRuns: [605, 606, 607] });

    const { probot, queue } = await slipway();
    await probot.receive(pullRequestEvent(25));
    await queue.onIdle();

    github.done();
    expect((bodiesOf(github, "POST", /check-runs$/) as CheckRunBody[]).map((run) => run.name)).toEqual(["slipway/plan (plain)", "slipway/plan (kustomized)", "slipway/plan (charted)"]);
    const runs = [605, 606, 607].map((id) => (bodiesOf(github, "PATCH", new RegExp(`check-runs/${id}$`)) as CheckRunBody[])[0]!);
    expect(runs.map((run) => [run.conclusion, run.output.title])).toEqual([
      ["success", "1 to create"],
      // The generated ConfigMap and the Deployment reading it; the chart's Deployment, whose image changed.
      ["success", "2 to create"],
      ["success", "1 to create"],
    ]);
    expect(runs[2]?.output.text).toContain("web:1.1");
  });
});
