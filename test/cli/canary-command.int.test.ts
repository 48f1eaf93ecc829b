// `slipway canary`, compiled and run as a process against the real control plane: it reads and
// changes the canary state the server keeps (made here as the server makes it), records who
// acted from where for the check run, and refuses with a message and an exit code.
import { hostname, userInfo } from "node:os";
import { expect, it } from "vitest";
import { readCanaryState, type StoredCanaryState } from "../../src/canary/state-store.js";
import { renderCanaryCheckRun } from "../../src/render/canary.js";
import { escapeMarkdown } from "../../src/render/escape.js";
import { moveTestCanary, progressTestCanary, startTestCanary } from "../support/canary-state.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";
import { useCompiledCli } from "../support/compiled-cli.js";

const run = useCompiledCli();
const operator = `${userInfo().username}@${hostname()}`;

describeWithCluster("slipway canary against a cluster", () => {
  const cluster = useCluster();

  /** A canary of `web` at 25 % in environment production, in a namespace of its own. */
  async function running(): Promise<{ ctx: ClusterContext; namespace: string; stored: StoredCanaryState; slipway: (...args: string[]) => ReturnType<typeof run> }> {
    const ctx = await cluster();
    const namespace = await ctx.namespace("cli-canary");
    const stored = await progressTestCanary(ctx.store, await startTestCanary(ctx.store, { namespace, environment: "production" }));
    const slipway = (...args: string[]) => run(["canary", ...args, "--kubeconfig", ctx.kubeconfigPath, "--namespace", namespace]);
    return { ctx, namespace, stored, slipway };
  }

  it("prints the phase, the step, the weight, the latest check against its thresholds and the history", async () => {
    const { slipway } = await running();

    const status = await slipway("status", "web");

    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(status.stdout).toMatch(/^Deployment\/cli-canary-[0-9a-f]+\/web in production: Canary at 25 % — step 3 of 4, checks passing\n/);
    expect(status.stdout).toMatch(/Phase: +progressing since /);
    expect(status.stdout).toContain("step 3 of 4 at 25 % of traffic: 5 → 10 → [25] → 50 → promote");
    expect(status.stdout).toMatch(/Checks: +0 of 2 failed/);
    expect(status.stdout).toMatch(/success rate +99\.7 % +≥ 99 % +pass\n/);
    expect(status.stdout).toMatch(/latency p99 +120 ms +≤ 500 ms +pass\n/);
    expect(status.stdout).toMatch(/History, newest first:\n.*slipway +controller +Check passed; next step\.\n.*slipway +merge +Canary of revision 5f1c2e9a0b3d started for commit 9f2c4e1\./);
  });

  it("pauses and resumes, recording each as the user at the host via the command line, which the check run's audit trail shows", async () => {
    const { ctx, stored, slipway } = await running();

    const paused = await slipway("pause", "web");
    const afterPause = await readCanaryState(ctx.store, stored);
    const resumed = await slipway("resume", "Deployment/web");
    const afterResume = await readCanaryState(ctx.store, stored);

    expect(paused).toMatchObject({ code: 0, stderr: "" });
    expect(paused.stdout).toContain(`Pausing web in production at 25 % of traffic`);
    expect(paused.stdout).toContain(`Recorded as ${operator} via the command line`);
    expect(afterPause?.state).toMatchObject({ phase: "paused", pausedFrom: "progressing", weight: 25 });
    expect(afterPause?.state.events.at(-1)).toMatchObject({ by: operator, via: "command line", what: "slipway canary pause" });
    expect(resumed.code).toBe(0);
    expect(afterResume?.state).toMatchObject({ phase: "progressing", weight: 25 });
    expect(afterResume?.state.commandsSeen).toHaveLength(2);
    const trail = renderCanaryCheckRun(afterResume!.state, afterResume!.state.config, { environment: "production", now: Date.now() }).text;
    expect(trail).toContain(`| ${escapeMarkdown(operator)} | command line | slipway canary resume |`);
    expect(trail).toContain(`| ${escapeMarkdown(operator)} | command line | slipway canary pause |`);
  });

  it("asks for promotion and abort, which status shows until the controller carries them out", async () => {
    const { ctx, stored, slipway } = await running();

    const promoted = await slipway("promote", "web", "--full");
    const aborted = await slipway("abort", "web");
    const status = await slipway("status", "web");

    expect(promoted).toMatchObject({ code: 0, stderr: "" });
    expect(promoted.stdout).toContain("Promoting web in production: the stable Deployment takes revision 5f1c2e9a0b3d");
    expect(aborted.code).toBe(0);
    expect((await readCanaryState(ctx.store, stored))?.state).toMatchObject({ promoteRequested: "full", abortRequested: true });
    expect(status.stdout).toMatch(/Requested: +abort, promote now\n/);
    expect(status.stdout).toMatch(new RegExp(`${operator.replace(/[.]/g, "\\.")} +command line +slipway canary abort\\n`));
  });

  it("refuses what the canary's phase does not allow with exit code 1, and writes nothing", async () => {
    const { ctx, stored, slipway } = await running();

    const notPaused = await slipway("resume", "web");
    const ended = await moveTestCanary(ctx.store, stored, { phase: "succeeded", weight: 0 });
    const afterEnd = await slipway("abort", "web");

    expect(notPaused).toMatchObject({ code: 1, stdout: "" });
    expect(notPaused.stderr).toBe("slipway canary resume changed nothing: the canary of web in production is not paused (it is progressing).\n");
    expect(afterEnd).toMatchObject({ code: 1, stdout: "" });
    expect(afterEnd.stderr).toBe("slipway canary abort changed nothing: the canary of web in production already ended: it was promoted.\n");
    expect((await readCanaryState(ctx.store, stored))?.resourceVersion).toBe(ended.resourceVersion);
  });

  it("names the canaries there for an unknown workload, and asks for --environment when several environments have one", async () => {
    const { ctx, namespace, slipway } = await running();
    await startTestCanary(ctx.store, { namespace, environment: "staging" });

    const unknown = await slipway("status", "api");
    const ambiguous = await slipway("pause", "web");
    const named = await slipway("status", "web", "--environment", "staging");

    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toBe(`No canary of api in namespace ${namespace}. Canaries there: web (production), web (staging).\n`);
    expect(ambiguous).toMatchObject({ code: 2, stdout: "" });
    expect(ambiguous.stderr).toBe(`web has canaries in 2 environments in namespace ${namespace}: production, staging. Name one with --environment, for example --environment production.\n`);
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^Deployment\/.*\/web in staging: Starting/);
  });

  it("says where to look when the namespace holds no canary, and refuses retry and stray options before reading the cluster", async () => {
    const ctx = await cluster();
    const empty = await ctx.namespace("cli-empty");

    const none = await run(["canary", "status", "web", "--kubeconfig", ctx.kubeconfigPath, "-n", empty]);
    const retry = await run(["canary", "retry", "web"]);
    const fullPause = await run(["canary", "pause", "web", "--full"]);

    expect(none).toMatchObject({ code: 2, stdout: "" });
    expect(none.stderr).toContain(`No canary of web in namespace ${empty}. Slipway keeps a canary's state in its environment's inventory namespace`);
    expect(retry.code).toBe(2);
    expect(retry.stderr).toContain("retry is not on the command line");
    expect(fullPause.code).toBe(2);
    expect(fullPause.stderr).toContain("--full goes with promote only, not with pause");
  });
});
