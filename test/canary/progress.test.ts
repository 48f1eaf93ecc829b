import { describe, expect, it } from "vitest";
import { advance, type Observation } from "../../src/canary/progress.js";
import { aCanary, NOW } from "../render/canary-builders.js";

const ready = { ready: true, failed: false, reason: "ready" };
const observed = (overrides: Partial<Observation>): Observation => ({ now: NOW, canary: ready, stable: ready, routeWeight: 0, canaryReplicas: 2, ...overrides });

describe("advance from starting", () => {
  const starting = aCanary({ phase: "starting", phaseSince: new Date(NOW - 10_000).toISOString(), stepIndex: 0, weight: 0, checks: [], replicas: 2 });

  it("goes to preflight once the canary is ready at the stable's size", () => {
    const next = advance(starting, starting.config, observed({ canaryReplicas: 2 }));
    expect(next.phase).toBe("preflight");
  });

  it("waits while a canary created at the API server's default of one replica is ready but not yet scaled", () => {
    // Created without spec.replicas (the controller owns them), the Deployment defaults to 1 and
    // may be ready before the first tick scales it: that is not the canary the checks should judge.
    const next = advance(starting, starting.config, observed({ canaryReplicas: 1 }));
    expect(next.phase).toBe("starting");
    expect(next.message).toBe("Starting: scaling to 2 replicas.");
  });

  it("says why it waits for a canary that is not ready", () => {
    const next = advance(starting, starting.config, observed({ canary: { ready: false, failed: false, reason: "1 of 2 replicas updated" } }));
    expect(next.phase).toBe("starting");
    expect(next.message).toBe("Starting: 1 of 2 replicas updated.");
  });
});
