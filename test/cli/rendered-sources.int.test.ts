// The command line on a repository whose environments render from Kustomize and Helm: `slipway
// plan` of the working tree (and against --base, rendered at that revision from Git), and `slipway
// render`, with the pinned kustomize and helm named by SLIPWAY_KUSTOMIZE and SLIPWAY_HELM.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runPlanCommand } from "../../src/cli/plan-command.js";
import { runRenderCommand } from "../../src/cli/render-command.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";
import { planOptions } from "../support/plan-options.js";
import { renderTools } from "../support/render-tools.js";

const saved = { KUBECONFIG: process.env.KUBECONFIG, SLIPWAY_KUSTOMIZE: process.env.SLIPWAY_KUSTOMIZE, SLIPWAY_HELM: process.env.SLIPWAY_HELM };
beforeEach(() => {
  process.env.SLIPWAY_KUSTOMIZE = renderTools().kustomize;
  process.env.SLIPWAY_HELM = renderTools().helm;
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function write(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const git = (root: string, ...args: string[]) =>
  execFileSync("git", args, { cwd: root, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });

/** A Git repository with a Kustomize environment and a Helm one, committed. */
function repository(namespace: string): string {
  const root = mkdtempSync(join(tmpdir(), "slipway-cli-sources-"));
  write(root, {
    ".github/slipway.yml": `environments:\n  - name: shop\n    kustomize: overlays/prod\n    namespace: ${namespace}\n  - name: web\n    namespace: ${namespace}\n    helm:\n      chart: charts/web\n      values: [values/prod.yaml]\n`,
    "base/kustomization.yaml": "resources: [settings.yaml]\nsecretGenerator:\n  - name: token\n    literals: [token=s3cr3t-value]\n",
    "base/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n",
    "overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n",
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "charts/web/values.yaml": "greeting: hello\n",
    "charts/web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    "values/prod.yaml": "greeting: hallo\n",
  });
  git(root, "init", "-q");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "sources");
  return root;
}

describeWithCluster("the command line on rendered sources", () => {
  const cluster = useCluster();

  it("plans both environments from the working tree, and with --base only what changed since", async () => {
    const ctx = await cluster();
    process.env.KUBECONFIG = ctx.kubeconfigPath;
    const ns = await ctx.namespace("clisrc");
    const root = repository(ns);

    const all = await runPlanCommand(planOptions(root));
    expect(all.exitCode).toBe(1);
    expect(all.output).toContain(`ConfigMap/${ns}/prod-settings will be created (base/settings.yaml:1)`);
    expect(all.output).toMatch(new RegExp(`Secret/${ns}/prod-token-\\w+ will be created \\(base/kustomization\\.yaml:1\\)`));
    expect(all.output).toContain(`ConfigMap/${ns}/web-greeting will be created (charts/web/templates/cm.yaml:1)`);
    expect(all.output).not.toContain("s3cr3t-value");

    // An edit in the working tree: against HEAD, only the chart's object changed.
    write(root, { "values/prod.yaml": "greeting: servus\n" });
    const changed = await runPlanCommand(planOptions(root, { base: "HEAD" }));
    expect(changed.output).toContain(`ConfigMap/${ns}/web-greeting will be created`);
    expect(changed.output).not.toContain("prod-settings");
    expect(changed.output).toContain("servus");

    // Paths select environments: a file only the Kustomize source reads.
    const selected = await runPlanCommand(planOptions(root, { paths: [join(root, "base/settings.yaml")] }));
    expect(selected.output).toContain("prod-settings");
    expect(selected.output).not.toContain("web-greeting");
  });

  it("renders an environment as an apply would send it, Secret values hidden unless asked", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("clirender");
    const root = repository(ns);

    const rendered = await runRenderCommand({ environment: "shop", showSecrets: false, configHashKey: "test-key", cwd: root });
    expect(rendered.exitCode).toBe(0);
    expect(rendered.errors).toBe("");
    expect(rendered.output).toMatch(/^# shop: 2 objects rendered by kustomize in \d+ ms\n# Source: base\/settings\.yaml:1\napiVersion: v1\n/);
    // Stamped as the apply stamps it, in the environment's namespace.
    expect(rendered.output).toContain(`namespace: ${ns}`);
    expect(rendered.output).toContain("slipway.dev/environment: shop");
    expect(rendered.output).not.toContain("s3cr3t");
    expect(rendered.output).not.toContain(Buffer.from("s3cr3t-value").toString("base64"));
    const shown = await runRenderCommand({ environment: "shop", showSecrets: true, configHashKey: "test-key", cwd: root });
    expect(shown.output).toContain(Buffer.from("s3cr3t-value").toString("base64"));

    await expect(runRenderCommand({ showSecrets: false, configHashKey: "k", cwd: root })).rejects.toThrow("name the environment to render: shop, web");

    // A remote base: refused with the line that names it, and nothing printed.
    write(root, { "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n  - https://github.com/example/repo//deploy?ref=main\n" });
    const refused = await runRenderCommand({ environment: "shop", showSecrets: false, configHashKey: "test-key", cwd: root });
    expect(refused.exitCode).toBe(2);
    expect(refused.output).toBe("");
    expect(refused.errors).toMatch(/^overlays\/prod\/kustomization\.yaml:3: error: .*remote/m);
  });
});
