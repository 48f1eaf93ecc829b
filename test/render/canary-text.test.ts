import { describe, expect, it } from "vitest";
import { renderCanaryStatusText, renderLookupProblemText, renderSteeredText, renderVerbRefusedText } from "../../src/render/canary-text.js";
import { aCanary, aCheck, aLatency, anEvent, aSuccessRate, NOW } from "./canary-builders.js";

describe("renderCanaryStatusText", () => {
  it("shows the phase, the step on its ladder, the latest check against its thresholds and the history, newest first", () => {
    const text = renderCanaryStatusText(aCanary({ events: [anEvent(), anEvent({ at: new Date(NOW - 60_000).toISOString(), by: "alice@laptop", via: "command line", what: "slipway canary pause" })] }), { now: NOW });
    expect(text).toBe(
      [
        "Deployment/apps/web in production: Canary at 25 % — step 3 of 4, checks passing",
        "",
        "  Phase:     progressing since 11:50:00 UTC",
        "  Step:      step 3 of 4 at 25 % of traffic: 5 → 10 → [25] → 50 → promote",
        "  Revision:  5f1c2e9a0b3d (commit 9f2c4e1 of acme/deploy, pull request #42)",
        "  Checks:    0 of 2 failed; next check due now",
        "  Message:   Check passed; next step.",
        "",
        "Latest check, 12:08:30 UTC, step 3 at 25 %, 340 requests: pass",
        "  success rate  99.7 %  ≥ 99 %    pass",
        "  latency p99   120 ms  ≤ 500 ms  pass",
        "",
        "History, newest first:",
        "  12:09:00 UTC  alice@laptop  command line  slipway canary pause",
        "  11:40:00 UTC  slipway       controller    Started the canary of revision 5f1c2e9a0b3d.",
        "",
      ].join("\n"),
    );
  });

  it("says why a metric was not judged, and keeps control characters from the terminal", () => {
    const check = aCheck(1, { verdict: "error", metrics: [aSuccessRate({ value: null, verdict: "error", message: "bad_data: parse error\n\u001b]0;owned\u0007" }), aLatency()] });
    const text = renderCanaryStatusText(aCanary({ checks: [check], message: "evil\u001b[2J" }), { now: NOW });
    expect(text).toContain("success rate  no data  ≥ 99 %    error: bad_data: parse error \ufffd]0;owned\ufffd\n");
    expect(text).toContain("Message:   evil\ufffd[2J\n");
    expect(text).not.toContain("\u001b");
  });
});

describe("the command line's answers", () => {
  it("says what a recorded command will do, and who it was recorded as", () => {
    expect(renderSteeredText({ before: aCanary(), verb: "promote", full: false, by: "alice@laptop" })).toBe(
      "Moving web in production to the next step: from 25 % to 50 % of traffic.\nRecorded as alice@laptop via the command line: the server carries it out at the canary's next tick, and its check run shows who asked.\n",
    );
  });

  it("says why the phase refuses a verb", () => {
    expect(renderVerbRefusedText("pause", { reason: "final", state: { environment: "production", workload: "web", phase: "failed" } })).toBe(
      "slipway canary pause changed nothing: the canary of web in production already ended: it was rolled back. `/canary retry` on its pull request tries the revision again.\n",
    );
  });

  it("names the environments to choose from", () => {
    expect(renderLookupProblemText({ reason: "several-environments", namespace: "slipway", workload: "web", environments: ["production", "staging"] })).toBe(
      "web has canaries in 2 environments in namespace slipway: production, staging. Name one with --environment, for example --environment production.\n",
    );
  });
});
