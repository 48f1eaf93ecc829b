// steerCanary, the one function behind `/canary`, the check run's buttons and `slipway canary`,
// against the real control plane: what it writes, that it writes once per command, and that a
// tick's write in between is kept rather than undone.
import { expect, it } from "vitest";
import { readCanaryState } from "../../src/canary/state-store.js";
import { steerCanary } from "../../src/canary/steer.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";
import { moveTestCanary, passingCheck, progressTestCanary, startTestCanary } from "../support/canary-state.js";

describeWithCluster("steering a canary", () => {
  const cluster = useCluster();

  it("pauses a running canary with who did it and from where in its audit trail, once per command id", async () => {
    const { store, namespace } = await cluster().then(async (ctx) => ({ store: ctx.store, namespace: await ctx.namespace("steer") }));
    const running = await progressTestCanary(store, await startTestCanary(store, { namespace, environment: "production" }));
    const command = { verb: "pause", full: false, by: "alice@laptop", via: "command line", id: "cli-1" } as const;

    const first = await steerCanary(store, running, command);
    const after = await readCanaryState(store, running);
    const again = await steerCanary(store, after!, command);

    expect(first).toMatchObject({ outcome: "changed", before: { phase: "progressing" }, state: { phase: "paused" } });
    expect(after?.state).toMatchObject({ phase: "paused", pausedFrom: "progressing", weight: 25, commandsSeen: ["cli-1"] });
    expect(after?.state.events.at(-1)).toMatchObject({ by: "alice@laptop", via: "command line", what: "slipway canary pause" });
    expect(again).toEqual({ outcome: "already-done" });
    expect((await readCanaryState(store, running))?.resourceVersion).toBe(after?.resourceVersion);
  });

  it("reads the state again when a tick wrote first, and keeps the tick's work", async () => {
    const { store, namespace } = await cluster().then(async (ctx) => ({ store: ctx.store, namespace: await ctx.namespace("steer") }));
    const stale = await progressTestCanary(store, await startTestCanary(store, { namespace, environment: "production" }));
    const at = new Date().toISOString();
    await moveTestCanary(store, stale, { stepIndex: 3, weight: 50, checks: [...stale.state.checks, { ...passingCheck(at), stepIndex: 3, weight: 50 }] });

    const outcome = await steerCanary(store, stale, { verb: "promote", full: true, by: "octocat", via: "pull request comment", id: "comment-7" });
    const now = await readCanaryState(store, stale);

    expect(outcome.outcome).toBe("changed");
    expect(now?.state).toMatchObject({ weight: 50, stepIndex: 3, promoteRequested: "full", commandsSeen: ["comment-7"] });
    expect(now?.state.checks).toHaveLength(2);
    expect(now?.state.events.at(-1)).toMatchObject({ by: "octocat", via: "pull request comment", what: "/canary promote --full" });
  });

  it("refuses a canary that ended, and writes nothing", async () => {
    const { store, namespace } = await cluster().then(async (ctx) => ({ store: ctx.store, namespace: await ctx.namespace("steer") }));
    const ended = await moveTestCanary(store, await startTestCanary(store, { namespace, environment: "production" }), { phase: "succeeded", weight: 0 });

    const outcome = await steerCanary(store, ended, { verb: "abort", full: false, by: "alice@laptop", via: "command line", id: "cli-2" });

    expect(outcome).toMatchObject({ outcome: "refused", refusal: { reason: "final", state: { phase: "succeeded", workload: "web", environment: "production" } } });
    expect((await readCanaryState(store, ended))?.resourceVersion).toBe(ended.resourceVersion);
  });
});
