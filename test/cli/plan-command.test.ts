import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlanCommand, type PlanCommandOptions } from "../../src/cli/plan-command.js";
import { UsageError } from "../../src/cli/local-files.js";
import { planOptions } from "../support/plan-options.js";

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-cli-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const options = (cwd: string, overrides: Partial<PlanCommandOptions> = {}): PlanCommandOptions => planOptions(cwd, { offline: true, output: "json", ...overrides });

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";

describe("slipway plan --offline", () => {
  it("exits 1 when something would change, with the plan as JSON", async () => {
    const result = await runPlanCommand(options(workspace({ "deploy/a.yaml": configMap })));
    expect(result.exitCode).toBe(1);
    const { plans } = JSON.parse(result.output) as { plans: Array<{ mode: string; objects: Array<{ name: string; action: string }> }> };
    expect(plans[0]?.mode).toBe("offline");
    expect(plans[0]?.objects).toEqual([expect.objectContaining({ name: "ConfigMap/default/a", action: "create" })]);
  });

  it("exits 2 for broken YAML and says where", async () => {
    const dir = workspace({ "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n" });
    const result = await runPlanCommand(options(dir, { output: "text" }));
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/a\.yaml:\d+/);
  });

  it("uses the environments of .github/slipway.yml for their own files", async () => {
    const dir = workspace({
      ".github/slipway.yml": "environments:\n  - name: prod\n    paths: ['prod/**']\n    namespace: apps\n  - name: dev\n    paths: ['dev/**']\n",
      "prod/a.yaml": configMap,
    });
    const result = await runPlanCommand(options(dir));
    const { plans } = JSON.parse(result.output) as { plans: Array<{ environment: string; objects: Array<{ name: string }> }> };
    expect(plans.map((plan) => plan.environment)).toEqual(["prod"]);
    expect(plans[0]?.objects[0]?.name).toBe("ConfigMap/apps/a");
  });

  it("refuses an invalid .github/slipway.yml with its line", async () => {
    const dir = workspace({ ".github/slipway.yml": "environments:\n  - name: prod\n    pathz: []\n", "a.yaml": configMap });
    await expect(runPlanCommand(options(dir))).rejects.toThrow(/\.github\/slipway\.yml:2: .*pathz/);
  });

  it("refuses a path that does not exist", async () => {
    await expect(runPlanCommand(options(workspace({}), { paths: ["nope"] }))).rejects.toBeInstanceOf(UsageError);
  });
});
