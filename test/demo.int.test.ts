// The README's first Quick start command must keep working: run it as a user would.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeWithCluster, itWithControllers } from "./support/cluster.js";

const run = promisify(execFile);

describeWithCluster("npm run demo", () => {
  it("prints a real plan with diffs, both kinds of conflict, a prune and a masked Secret", async () => {
    const { stdout } = await run("npx", ["tsx", "scripts/demo.ts"], { env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
    expect(stdout).toContain("1 to create, 2 to change, 1 to prune, 2 conflicts");
    expect(stdout).toMatch(/\.spec\.replicas .*\n\s+owner: kube-controller-manager \(controller, Update, subresource scale\)/);
    expect(stdout).toMatch(/owner: kubectl-edit \(manual edit, Update\)/);
    expect(stdout).toContain("Deployment/demo/worker will be pruned");
    expect(stdout).toContain("DATABASE_URL: added");
    expect(stdout).not.toContain("demo-password");
  });

  // The canary demo needs kube-controller-manager (Deployments roll out) and builds Prometheus if it is not cached.
  itWithControllers(
    "--canary promotes a healthy revision step by step, then rolls a failing one back",
    async () => {
      const { stdout } = await run("npx", ["tsx", "scripts/demo.ts", "--canary"], { env: { ...process.env, NO_COLOR: "1" }, timeout: 20 * 60_000 });
      const [good = "", bad = ""] = stdout.split(/^== /m).slice(1);
      expect(good).toMatch(/^v2: /);
      // Each step after a passed check, with the metric values and their thresholds.
      expect(good).toMatch(/check .* step 1 at 20 % +\d+ requests +success-rate 100 % \(≥ 95 %\) ✅ +latency-p99 [\d.]+ ms \(≤ 500 ms\) ✅ +→ pass\n +progressing +Canary at 50 %/);
      expect(good).toMatch(/check .* step 2 at 50 % .*→ pass\n +promoting /);
      expect(good).toMatch(/^ +succeeded +Promoted: the new revision serves all traffic$/m);
      expect(good).not.toMatch(/→ fail/);
      expect(bad).toMatch(/^v3: /);
      expect(bad).toMatch(/check .* success-rate [\d.]+ % \(≥ 95 %\) ❌ .*→ fail/);
      expect(bad).toMatch(/^ +failed +Rolled back: success-rate [\d.]+ % < 95 %$/m);
      expect(bad).not.toMatch(/promoting|succeeded/);
      expect(bad).toMatch(/^ +success-rate +\S+ +latest [\d.]+ %, threshold ≥ 95 %$/m);
      expect(stdout).toMatch(/v2 was promoted and v3 rolled back, as expected\.\n$/);
    },
    20 * 60_000 + 10_000,
  );
});
