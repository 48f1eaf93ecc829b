import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { applyAsSlipway } from "../support/apply-as-slipway.js";
import { runPlanCommand, type PlanCommandOptions } from "../../src/cli/plan-command.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";
import { planOptions } from "../support/plan-options.js";

const originalKubeconfig = process.env.KUBECONFIG;
afterEach(() => {
  process.env.KUBECONFIG = originalKubeconfig;
});

function dirWith(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-cli-"));
  writeFileSync(join(dir, "cm.yaml"), content);
  return dir;
}

const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: "${value}"\n`;

describeWithCluster("slipway plan against a cluster", () => {
  const cluster = useCluster();
  const options = (cwd: string, namespace: string): PlanCommandOptions => planOptions(cwd, { namespace });

  it("exits 0 when the cluster already matches and 1 when it would change", async () => {
    const ctx = await cluster();
    process.env.KUBECONFIG = ctx.kubeconfigPath;
    const ns = await ctx.namespace("cli");
    await applyAsSlipway({
      store: ctx.store,
      environment: "local",
      namespace: ns,
      objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { level: "info" } }],
    });

    const same = await runPlanCommand(options(dirWith(configMap("info")), ns));
    const changed = await runPlanCommand(options(dirWith(configMap("debug")), ns));

    expect(same.exitCode).toBe(0);
    expect(changed.exitCode).toBe(1);
    expect(changed.output).toContain('-  level: info');
    expect(changed.output).toContain('+  level: debug');
  });

  it("exits 2 with a message naming the environment when the cluster cannot be reached", async () => {
    const ctx = await cluster();
    const unreachable = join(mkdtempSync(join(tmpdir(), "slipway-kc-")), "kubeconfig");
    writeFileSync(
      unreachable,
      `apiVersion: v1\nkind: Config\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: secret-token-value}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\ncurrent-context: gone\n`,
    );
    process.env.KUBECONFIG = unreachable;
    const result = await runPlanCommand(options(dirWith(configMap("info")), await ctx.namespace("gone")));
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/Environment local .*could not be reached/);
    expect(result.output).not.toContain("secret-token-value");
  });
});
