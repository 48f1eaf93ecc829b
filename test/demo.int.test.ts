// The README's first Quick start command must keep working: run it as a user would.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { describeWithCluster } from "./support/cluster.js";

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
});
