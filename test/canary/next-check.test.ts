import { describe, expect, it } from "vitest";
import { checkDue, nextCheckAt } from "../../src/canary/progress.js";
import { aCanary, aCheck, NOW } from "../render/canary-builders.js";

const config = { interval: 60_000 };

describe("nextCheckAt", () => {
  it("is an interval after the last check, or after the step began when that is later", () => {
    expect(nextCheckAt(aCanary({ checks: [aCheck(1)], stepSince: new Date(NOW - 5 * 60_000).toISOString() }), config)).toBe(NOW);
    expect(nextCheckAt(aCanary({ checks: [aCheck(5)], stepSince: new Date(NOW - 30_000).toISOString() }), config)).toBe(NOW + 30_000);
  });

  it("is undefined when the phase checks nothing or an abort is pending, and the phase's start in preflight", () => {
    expect(nextCheckAt(aCanary({ phase: "promoting" }), config)).toBeUndefined();
    expect(nextCheckAt(aCanary({ abortRequested: true }), config)).toBeUndefined();
    expect(nextCheckAt(aCanary({ phase: "preflight", phaseSince: new Date(NOW).toISOString() }), config)).toBe(NOW);
  });

  it("agrees with checkDue", () => {
    const state = aCanary({ checks: [aCheck(1)], stepSince: new Date(NOW - 5 * 60_000).toISOString() });
    expect(checkDue(state, config, NOW - 1)).toBe(false);
    expect(checkDue(state, config, NOW)).toBe(true);
    expect(checkDue(aCanary({ phase: "preflight" }), config, 0)).toBe(true);
  });
});
