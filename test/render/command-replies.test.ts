import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/github/commands.js";
import { renderCanaryAccepted, renderCanaryRefused, renderCanaryStatus, renderUnknownCommand } from "../../src/render/command-replies.js";
import { aCanary, aCanaryConfig } from "./canary-builders.js";
import { inspectMarkdown, withoutCodeSpans } from "./markdown-structure.js";

const config = aCanaryConfig();
const state = aCanary();

describe("replies to unknown commands", () => {
  it.each([
    ["/canary rollback", "`rollback` is not something a canary can do."],
    ["/canary abort --full", "`--full` goes with `/canary promote` only, not with `/canary abort`."],
    ["/canary promote web api", "A command names at most one workload; `api` is one word too many."],
    ["/canary promote **web**", "`**web**` is not a Deployment's name."],
    ["/canary", "Say what to do with the canary."],
  ])("%j says why", (body, why) => {
    const command = parseCommand(body);
    if (command?.kind !== "unknown") throw new Error(`${body} should be unknown`);
    const reply = renderUnknownCommand(command.text, command.problem);
    expect(reply).toContain(why);
    expect(reply).toContain("`/canary promote [<workload>] [--full]`");
  });

  it("quotes hostile text as code and mentions nobody", () => {
    const command = parseCommand("/canary promote `x` @someone <img src=x> [a](https://evil.example)");
    if (command?.kind !== "unknown") throw new Error("should be unknown");
    const reply = renderUnknownCommand(command.text, command.problem);
    expect(withoutCodeSpans(reply)).not.toMatch(/<img|@someone|\]\(https/);
  });
});

describe("a canary command accepted", () => {
  it.each([
    [{ verb: "promote", full: false }, state, "Moving `web` in **production** to the next step: from 25 % to 50 % of traffic (5 → 10 → 25 → **50** → promote)."],
    [{ verb: "promote", full: true }, state, "Promoting `web` in **production** now: the stable Deployment takes revision `5f1c2e9a0b3d`"],
    [{ verb: "promote", full: false }, aCanary({ phase: "awaiting-promotion", stepIndex: 3, weight: 50 }), "Promoting `web` in **production** now"],
    [{ verb: "abort", full: false }, state, "Aborting `web` in **production**: all traffic goes back to the stable Deployment"],
    [{ verb: "pause", full: false }, state, "Pausing `web` in **production** at 25 % of traffic"],
    [{ verb: "resume", full: false }, state, "Resuming `web` in **production** from 25 % of traffic"],
    [{ verb: "retry", full: false }, aCanary({ phase: "failed" }), "Retrying revision `5f1c2e9a0b3d` of `web` in **production** from the first step (5 % of traffic)."],
  ] as const)("%j", (command, canary, expected) => {
    expect(renderCanaryAccepted({ ...command, state: canary, config })).toContain(expected);
  });
});

describe("a canary command refused", () => {
  it.each([
    [{ reason: "not-allowed", username: "reader" }, "Sorry @reader, only collaborators with write access can steer a canary, so nothing changed."],
    [{ reason: "no-canary" }, "`/canary promote` changed nothing: no canary runs for this pull request."],
    [{ reason: "ambiguous", environment: "production", workloads: ["web", "api"] }, "this pull request has 2 canaries in **production** (`web`, `api`). Name one, for example `/canary promote web`."],
    [{ reason: "unknown-workload", workload: "wbe", workloads: ["web"] }, "this pull request has no canary for `wbe`; it has `web`."],
    [{ reason: "final", state: { environment: "production", workload: "web", phase: "succeeded" } }, "the canary of `web` in **production** already ended: it was promoted. `/canary retry` tries the revision again."],
    [{ reason: "not-paused", state: { environment: "production", workload: "web", phase: "progressing" } }, "is not paused."],
    [
      { reason: "revision-mismatch", canaryCommit: "9f2c4e1a7b3d", pullRequestCommit: "1234567890ab" },
      "this canary tests `9f2c4e1`, this pull request merged `1234567`.",
    ],
  ] as const)("%j", (refusal, expected) => {
    expect(renderCanaryRefused("promote", refusal)).toContain(expected);
  });

  it.each([
    [{ reason: "not-failed", state: { environment: "production", workload: "web", phase: "superseded" } }, "`/canary revert` changed nothing: the canary of `web` in **production** was superseded by a newer merge, so its revision is no longer the one rolled out."],
    [{ reason: "not-failed", state: { environment: "production", workload: "web", phase: "succeeded" } }, "the canary of `web` in **production** did not fail: it was promoted."],
    [{ reason: "not-failed", state: { environment: "production", workload: "web", phase: "progressing" } }, "is still running (progressing); a revert is offered if it fails"],
    [{ reason: "revert-not-enabled", state: { environment: "production", workload: "web" } }, "revert pull requests are off for `web` in **production**. To turn them on, set `revertPullRequest: true` in its `canary:` entry in .github/slipway.yml, and grant the Slipway GitHub App `contents: write` and `pull_requests: write`"],
    [{ reason: "stale-check-run", canaryCommit: "2222222aaaa", checkRunCommit: "9f2c4e1bbbb" }, "`/canary revert` changed nothing: this check run is for commit `9f2c4e1`, and the canary of that workload now tests `2222222`, a newer merge."],
  ] as const)("/canary revert: %j", (refusal, expected) => {
    expect(renderCanaryRefused("revert", refusal)).toContain(expected);
  });

  it("escapes environment and workload names", () => {
    const reply = renderCanaryRefused("abort", { reason: "ambiguous", environment: "prod <b>@team</b>", workloads: ["a`b"] });
    expect(withoutCodeSpans(reply)).not.toMatch(/<b>|@team/);
  });
});

describe("/canary status", () => {
  it("is the check run in a few lines, linking it", () => {
    const reply = renderCanaryStatus({ state: aCanary({ checkRun: { id: 1, url: "https://github.com/acme/deploy/runs/1" } }), config });
    expect(reply).toBe(
      [
        "**Canary at 25 % — step 3 of 4, checks passing** ([check run](https://github.com/acme/deploy/runs/1))",
        "",
        "`web` in **production**, step 3 of 4: 5 → 10 → **25** → 50 → promote",
        "",
        "Latest check: success rate 99.7 % (≥ 99 %), latency p99 120 ms (≤ 500 ms); 0 of 2 failed checks.",
      ].join("\n"),
    );
    expect(inspectMarkdown(reply).problems).toEqual([]);
  });

  it("links only a URL it can trust", () => {
    const reply = renderCanaryStatus({ state: aCanary({ checkRun: { id: 1, url: "javascript:alert(1)" } }), config });
    expect(reply).not.toContain("javascript:");
  });
});
