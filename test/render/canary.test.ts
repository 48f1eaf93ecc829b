import { describe, expect, it } from "vitest";
import type { CanaryPhase } from "../../src/canary/types.js";
import { canaryButtonVerb } from "../../src/render/canary-actions.js";
import { renderCanaryChart, sparkline } from "../../src/render/canary-chart.js";
import { renderCanaryCheckRun } from "../../src/render/canary.js";
import {
  CHECK_RUN_ACTION_DESCRIPTION_MAX,
  CHECK_RUN_ACTION_IDENTIFIER_MAX,
  CHECK_RUN_ACTION_LABEL_MAX,
  CHECK_RUN_ACTIONS_MAX,
  CHECK_RUN_SUMMARY_MAX,
  CHECK_RUN_TEXT_MAX,
  CHECK_RUN_TITLE_MAX,
} from "../../src/render/limits.js";
import { aCanary, aCanaryConfig, aCheck, aLatency, anEvent, aSuccessRate, NOW } from "./canary-builders.js";
import { expectGolden } from "./golden.js";
import { inspectMarkdown, withoutCodeSpans } from "./markdown-structure.js";

const config = aCanaryConfig();
const render = (overrides: Parameters<typeof aCanary>[0] = {}, options: { manual?: boolean; commandHint?: boolean } = {}) =>
  renderCanaryCheckRun(aCanary(overrides), options.manual ? aCanaryConfig({ promotion: "manual" }) : config, {
    environment: "production",
    now: NOW,
    ...(options.commandHint !== undefined ? { commandHint: options.commandHint } : {}),
  });

const failing = aCheck(0.5, { verdict: "fail", metrics: [aSuccessRate({ value: 91.2, verdict: "fail" }), aLatency()] });
const verbsOf = (run: ReturnType<typeof render>) => run.actions.map((action) => canaryButtonVerb(action.identifier));

describe("the canary check run, phase by phase", () => {
  it.each<[CanaryPhase, Parameters<typeof aCanary>[0], string, string | undefined, Array<string | undefined>]>([
    ["starting", { checks: [], weight: 0, stepIndex: 0 }, "Starting: the canary's pods are rolling out, no traffic yet", undefined, ["abort"]],
    ["preflight", { checks: [], weight: 0, stepIndex: 0 }, "Trying every query before any traffic moves", undefined, ["abort"]],
    ["progressing", {}, "Canary at 25 % — step 3 of 4, checks passing", undefined, ["promote", "abort", "pause"]],
    ["awaiting-promotion", { stepIndex: 3, weight: 50 }, "Waiting at the gate for /canary promote — canary at 50 %, checks passing", "action_required", ["promote", "abort", "pause"]],
    ["paused", { pausedFrom: "progressing" }, "Paused at 25 % — step 3 of 4; /canary resume goes on", undefined, ["resume", "abort"]],
    ["promoting", {}, "Promoting: the stable Deployment takes the new revision", undefined, []],
    ["finalising", {}, "Promoted; moving all traffic back to the stable Deployment", undefined, []],
    ["rolling-back", { checks: [failing], failedChecks: 2, weight: 0 }, "Rolling back: success rate 91.2 % < 99 %", undefined, []],
    ["succeeded", { weight: 0 }, "Promoted: the new revision serves all traffic", "success", []],
    ["failed", { checks: [failing], failedChecks: 2, weight: 0 }, "Rolled back: success rate 91.2 % < 99 %", "failure", []],
    ["aborted", { events: [anEvent({ by: "octocat", via: "pull request comment", what: "/canary abort" }), ...[1, 2].map(() => anEvent({ by: "slipway", via: "controller", what: "Aborted: all traffic back to stable." }))] }, "Aborted by octocat: all traffic back to the stable Deployment", "cancelled", []],
    ["superseded", {}, "Superseded by a newer merge", "neutral", []],
  ])("%s", (phase, overrides, title, conclusion, verbs) => {
    const run = render({ phase, ...overrides });
    expect(run.name).toBe("slipway/canary (production/web)");
    expect(run.title).toBe(title);
    expect(run.conclusion).toBe(conclusion);
    expect(run.status).toBe(conclusion ? "completed" : "in_progress");
    expect(verbsOf(run)).toEqual(verbs);
    for (const part of [run.summary, run.text]) expect(inspectMarkdown(part).problems).toEqual([]);
  });

  it("says why a canary failed before any check judged it, from its message", () => {
    const run = render({ phase: "failed", checks: [], message: "Stopped before any traffic moved: latency p99: bad_data: parse error. Fix the query." });
    expect(run.title).toBe("Stopped before any traffic moved: latency p99: bad_data: parse error");
  });

  it("counts failed checks and waits for traffic in the title", () => {
    expect(render({ checks: [failing], failedChecks: 1 }).title).toBe("Canary at 25 % — step 3 of 4, 1 of 2 checks failed");
    const quiet = aCheck(0.5, { verdict: "no-data", requests: 3, metrics: [aSuccessRate({ value: null, verdict: "no-data" })] });
    expect(render({ checks: [quiet], noDataChecks: 1 }).title).toBe("Canary at 25 % — step 3 of 4, waiting for traffic");
  });

  it("names the buttons instead of the commands when there is no pull request to comment on", () => {
    const run = render({ phase: "awaiting-promotion", stepIndex: 3, weight: 50, pullRequest: undefined });
    expect(run.title).toBe("Waiting at the gate for Promote — canary at 50 %, checks passing");
    expect(run.summary).not.toContain("/canary");
  });

  it("offers Revert on a failed canary whose entry sets revertPullRequest, and names the command", () => {
    const failed = { phase: "failed" as const, checks: [failing], failedChecks: 2, weight: 0 };
    const opted = renderCanaryCheckRun(aCanary(failed), aCanaryConfig({ revertPullRequest: true }), { environment: "production", now: NOW });
    expect(opted.actions).toEqual([{ label: "Revert", description: "Open a pull request reverting the merge", identifier: "canary-revert" }]);
    expect(verbsOf(opted)).toEqual(["revert"]);
    expect(opted.summary).toContain("Comment `/canary retry web` on the pull request to try this revision again, or `/canary revert web` (or press Revert) for a pull request that reverts its merge.");
    const off = render(failed);
    expect(off.actions).toEqual([]);
    expect(off.summary).not.toContain("revert web");
    // Only a failed canary: nothing else is reverted.
    const others: CanaryPhase[] = ["starting", "preflight", "progressing", "awaiting-promotion", "paused", "promoting", "finalising", "rolling-back", "succeeded", "aborted", "superseded"];
    for (const phase of others) {
      const other = renderCanaryCheckRun(aCanary({ phase }), aCanaryConfig({ revertPullRequest: true }), { environment: "production", now: NOW });
      expect(verbsOf(other)).not.toContain("revert");
    }
  });

  it("keeps its buttons within GitHub's limits", () => {
    const phases: CanaryPhase[] = ["starting", "preflight", "progressing", "awaiting-promotion", "paused", "promoting", "finalising", "rolling-back", "succeeded", "failed", "aborted", "superseded"];
    const withRevert = aCanaryConfig({ revertPullRequest: true });
    for (const phase of phases) {
      const { actions } = renderCanaryCheckRun(aCanary({ phase }), withRevert, { environment: "production", now: NOW });
      expect(actions.length).toBeLessThanOrEqual(CHECK_RUN_ACTIONS_MAX);
      for (const action of actions) {
        expect(action.label.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_LABEL_MAX);
        expect(action.description.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_DESCRIPTION_MAX);
        expect(action.identifier.length).toBeLessThanOrEqual(CHECK_RUN_ACTION_IDENTIFIER_MAX);
      }
    }
  });
});

describe("the summary", () => {
  it("shows the ladder with the current step in bold and the latest metrics as a table", () => {
    const { summary } = render();
    expect(summary).toContain("Steps (% of traffic): 5 → 10 → **25** → 50 → promote;");
    expect(summary).toContain("| success rate | 99.7 % | ≥ 99 % | ✅ pass |");
    expect(summary).toContain("| latency p99 | 120 ms | ≤ 500 ms | ✅ pass |");
    expect(summary).toContain("Failed checks: **0 of 2**");
    expect(summary).toContain("Next check: 12:09:30 UTC (due now).");
  });

  it("explains no data: no traffic, too little traffic, a failed query, each with its query", () => {
    const check = aCheck(0.5, {
      verdict: "error",
      requests: 12,
      metrics: [
        aSuccessRate({ value: null, verdict: "no-data" }),
        aLatency({ value: 80, verdict: "no-data" }),
        { name: "queue-depth", query: "max(queue_depth{canary=\"web\"})", value: null, max: 10, verdict: "error", message: "bad_data: 1:7: parse error" },
      ],
    });
    const { summary } = render({ checks: [check], stepSince: new Date(NOW - 30_000).toISOString() });
    expect(summary).toContain("| success rate | no data | ≥ 99 % | ⏳ no data: the query returned nothing; is traffic reaching the canary? |");
    expect(summary).toContain("| latency p99 | 80 ms | ≤ 500 ms | ⏳ not judged: 12 requests in the window, 20 needed |");
    expect(summary).toContain("| queue-depth | no data | ≤ 10 | ⚠️ query failed: bad\\_data: 1:7: parse error |");
    expect(summary).toContain("#### Queries of the metrics that did not pass");
    expect(summary).toContain('max(queue_depth{canary="web"})');
    expect(summary).toContain("Next check: 12:10:30 UTC (in 30 s).");
  });

  it("draws every metric and the weight as sparklines", () => {
    const checks = [10, 20, 30, 40].map((value, index) => aCheck(4 - index, { weight: [5, 10, 25, 50][index] ?? 0, metrics: [aLatency({ value: value * 10 })] }));
    const { summary } = render({ checks });
    expect(summary).toContain("| weight | `▁▂▃▅` | 50 % | 0 – 100 % |");
    // Scaled from 100 to 500 ms, the threshold, so the line reads against it.
    expect(summary).toContain("| latency p99 | `▁▃▅▆` | 400 ms | ≤ 500 ms |");
  });

  it("offers the comment commands the phase allows, naming the workload", () => {
    expect(render().summary).toContain("`/canary promote web` (next step), `/canary promote web --full` (promote now), `/canary abort web`, `/canary pause web`, `/canary status web`");
    expect(render({ phase: "failed", checks: [failing] }).summary).toContain("Comment `/canary retry web` on the pull request");
    expect(render({}, { commandHint: false }).summary).not.toContain("/canary");
  });
});

describe("the text", () => {
  it("lists the checks and the audit trail, newest first", () => {
    const events = [anEvent(), anEvent({ at: new Date(NOW - 60_000).toISOString(), by: "octocat", via: "check run button", what: "Paused." })];
    const { text } = render({ events });
    const rows = text.split("\n").filter((line) => line.startsWith("| 12:") || line.startsWith("| 11:"));
    expect(rows[0]).toMatch(/^\| 12:08:30 UTC \| 3 \| 25 % \| 340 \| ✅ pass \|/);
    expect(text).toMatch(/\| 12:09:00 UTC \| octocat \| check run button \| Paused\. \|\n\| 11:40:00 UTC \| slipway \| controller \|/);
  });
});

describe("hostile text", () => {
  const hostile = "x```</details><script>alert(1)</script> @someone [click](https://evil.example) *b* | cell\n\n# Heading";
  const state = aCanary({
    workload: `web${hostile}`,
    message: hostile,
    phase: "failed",
    checks: [aCheck(1, { verdict: "fail", metrics: [aSuccessRate({ name: hostile, unit: hostile, query: `${hostile}\n\`\`\`\`\n`, verdict: "fail", value: 1, message: hostile })] })],
    events: [anEvent({ by: hostile, via: hostile, what: hostile })],
  });
  const run = renderCanaryCheckRun(state, config, { environment: `prod ${hostile}`, now: NOW });

  it.each(["summary", "text"] as const)("cannot break out of the %s's structure or mention anyone", (part) => {
    const structure = inspectMarkdown(run[part]);
    expect(structure.problems).toEqual([]);
    const interpreted = withoutCodeSpans(structure.outsideFences);
    expect(interpreted).not.toMatch(/<script|<\/details>|(?<!\\)\]\(https:\/\/evil|\n# Heading/);
    expect(structure.outsideFences).not.toContain("@someone");
  });

  it.each(["summary", "text"] as const)("keeps the %s's tables to their own columns", (part) => {
    const cells = (row: string) => withoutCodeSpans(row).replace(/\\\|/g, "").split("|").length;
    const tables = run[part].split(/\n(?!\|)/).map((block) => block.split("\n").filter((line) => line.startsWith("|")));
    for (const rows of tables.filter((rows) => rows.length > 0)) {
      for (const row of rows) expect(cells(row)).toBe(cells(rows[0] ?? ""));
    }
  });

  it("keeps the name and the title on one line", () => {
    expect(run.name).not.toMatch(/\n/);
    expect(run.title).not.toMatch(/\n/);
  });
});

describe("limits", () => {
  it("stays within GitHub's limits with 30 checks and long messages, cutting old checks first", () => {
    const long = "Prometheus said: ".padEnd(20_000, "ünïcödé ");
    const checks = Array.from({ length: 30 }, (_, index) =>
      aCheck(30 - index, {
        verdict: "error",
        metrics: Array.from({ length: 12 }, (__, n) => aSuccessRate({ name: `metric-${n}`, query: long, value: null, verdict: "error", message: long })),
      }),
    );
    const events = Array.from({ length: 400 }, (_, index) => anEvent({ what: `${index}: ${long}` }));
    const run = render({ checks, events, message: long });
    expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX);
    expect(Buffer.byteLength(run.text)).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX);
    expect(run.title.length).toBeLessThanOrEqual(CHECK_RUN_TITLE_MAX);
    expect(run.text).toMatch(/older checks? not shown here/);
    for (const part of [run.summary, run.text]) expect(inspectMarkdown(part).problems).toEqual([]);
  });

  it("shows every event when only the checks need cutting", () => {
    const long = "x".repeat(3_000);
    const checks = Array.from({ length: 30 }, (_, index) => aCheck(30 - index, { metrics: Array.from({ length: 8 }, () => aLatency({ verdict: "error", message: long })) }));
    const events = Array.from({ length: 20 }, (_, index) => anEvent({ what: `event ${index}` }));
    const { text } = render({ checks, events });
    expect(text).toMatch(/older checks? not shown here/);
    expect(text).not.toMatch(/older events? not shown here/);
    expect(text).toContain("event 0");
  });
});

describe("sparkline", () => {
  it.each<[Array<number | null>, Parameters<typeof sparkline>[1], string]>([
    [[1, 2, 3, 4, 5, 6, 7, 8], {}, "▁▂▃▄▅▆▇█"],
    [[0, 50, 100], { min: 0, max: 100 }, "▁▅█"],
    [[99.9, 99.5, null, 98], { min: 99 }, "█▇·▁"],
    [[7, 7, 7], {}, "▄▄▄"],
    [[5, 5], { min: 0, max: 100 }, "▁▁"],
    [[Infinity, -Infinity, NaN, 1], {}, "█▁·▄"],
    [[], {}, ""],
  ])("%j with %j is %s", (values, options, expected) => {
    expect(sparkline(values, options)).toBe(expected);
  });
});

describe("the Mermaid chart for comments", () => {
  it("is a well-formed xychart of weight and success rate, with the threshold", () => {
    const checks = [5, 10, 25].map((weight, index) => aCheck(3 - index, { weight, metrics: [aSuccessRate({ value: 99 + index / 4 })] }));
    expect(renderCanaryChart({ checks })).toBe(
      [
        "```mermaid",
        "xychart-beta",
        '    title "Canary weight (bars) and success rate (line), in %"',
        '    x-axis "Check (UTC)" ["12:07", "12:08", "12:09"]',
        '    y-axis "%" 0 --> 100',
        "    bar [5, 10, 25]",
        "    line [99, 99.25, 99.5]",
        "    line [99, 99, 99]",
        "```",
        "",
      ].join("\n"),
    );
  });

  it("leaves out checks without a success rate, tells checks a minute apart by their seconds, and is empty below two points", () => {
    const checks = [aCheck(1), aCheck(0.5), aCheck(0.25, { metrics: [aSuccessRate({ value: null, verdict: "no-data" })] })];
    const chart = renderCanaryChart({ checks });
    expect(chart).toContain('x-axis "Check (UTC)" ["12:09:00", "12:09:30"]');
    expect(inspectMarkdown(chart).fences).toBe(1);
    expect(renderCanaryChart({ checks: [aCheck(1)] })).toBe("");
  });
});

describe("canary check run golden files", () => {
  it.each<[string, Parameters<typeof aCanary>[0], boolean]>([
    ["progressing", {}, false],
    ["gate", { phase: "awaiting-promotion", stepIndex: 3, weight: 50, checks: [aCheck(3, { stepIndex: 3, weight: 50 }), aCheck(2, { stepIndex: 3, weight: 50 })], message: "Check passed. Waiting at the gate: comment /canary promote." }, true],
    ["failed", { phase: "failed", weight: 0, failedChecks: 2, checks: [...aCanary().checks, failing], message: "Rolled back: success rate 91.2 % < 99 % (2 failed checks)." }, false],
  ])("%s", (name, overrides, manual) => {
    const run = render(overrides, { manual });
    const buttons = run.actions.map((action) => `- [${action.label}] ${action.description} (${action.identifier})`).join("\n") || "- none";
    const page = [`# ${run.name}: ${run.status}${run.conclusion ? `, ${run.conclusion}` : ""}`, `## ${run.title}`, buttons, run.summary, "<!-- output.text -->", run.text].join("\n\n");
    expectGolden(`canary-${name}.md`, page);
  });
});
