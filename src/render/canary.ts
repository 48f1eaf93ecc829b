// The canary's check run `slipway/canary (<environment>/<workload>)`, on the merge commit that
// started it: where it is on its steps, what the latest check measured against which threshold,
// the trend of every metric, and what a person can do. The text holds the history of checks and
// who did what. A mirror of the state in the cluster, rendered from it alone.
import type { CanaryConfig } from "../config/canary-schema.js";
import { nextCheckAt } from "../canary/progress.js";
import type { CanaryState, CheckRecord, MetricResult, Verdict } from "../canary/types.js";
import { canaryActions, canaryButtonVerb, type CheckRunAction } from "./canary-actions.js";
import { metricSeries, sparkline, SPARKLINE_GAP } from "./canary-chart.js";
import { formatIn, formatThreshold, formatTime, formatValue, renderLadder } from "./canary-format.js";
import { canaryConclusion, canaryIcon, canaryStatus, canaryTitle, type CanaryCheckRunStatus, type CanaryConclusion } from "./canary-title.js";
import { codeFence, codeSpan, escapeMarkdown, flattenText } from "./escape.js";
import { type Block, layoutBlocks, type Section } from "./layout.js";
import { CHECK_RUN_SUMMARY_MAX, CHECK_RUN_TEXT_MAX, truncateText, utf8Length } from "./limits.js";
import { plural } from "./plural.js";
import { ITEM_TEXT_MAX } from "./report.js";

export interface CanaryCheckRun {
  name: string;
  status: CanaryCheckRunStatus;
  conclusion?: CanaryConclusion;
  title: string;
  summary: string;
  text: string;
  actions: CheckRunAction[];
}

export interface CanaryRenderContext {
  environment: string;
  now: number;
  /** Name the `/canary` comment commands; by default when the canary came from a pull request. */
  commandHint?: boolean;
}

/** A metric's message (often a Prometheus error) in a table cell: a sentence, not a page. */
const CELL_TEXT_MAX = 300;
/** PromQL is shown whole up to this size; a longer query is cut, with a note. */
const QUERY_TEXT_MAX = 2_000;

/** One line: the name is plain text, and the handlers look the check run up by it. */
export const canaryCheckRunName = (environment: string, workload: string): string => flattenText(`slipway/canary (${environment}/${workload})`);

export function renderCanaryCheckRun(state: CanaryState, config: CanaryConfig, context: CanaryRenderContext): CanaryCheckRun {
  const commandHint = context.commandHint ?? state.pullRequest !== undefined;
  const limits = (max: number) => ({ max, measure: utf8Length });
  const conclusion = canaryConclusion(state.phase);
  const title = canaryTitle(state, config, { commandHint });
  const summary =
    layoutBlocks(summaryBlocks(state, config, { ...context, commandHint, title }), limits(CHECK_RUN_SUMMARY_MAX)) ??
    `**${escapeMarkdown(title)}**\n\nThe rest does not fit in a check run (GitHub allows 65,535 bytes).\n`;
  return {
    name: canaryCheckRunName(context.environment, state.workload),
    status: canaryStatus(state.phase),
    ...(conclusion ? { conclusion } : {}),
    title,
    summary,
    text: renderHistory(state, context.now, limits(CHECK_RUN_TEXT_MAX)),
    actions: canaryActions(state.phase, { revertPullRequest: config.revertPullRequest }),
  };
}

function summaryBlocks(state: CanaryState, config: CanaryConfig, context: CanaryRenderContext & { commandHint: boolean; title: string }): Block[] {
  const last = state.checks.at(-1);
  return [
    headBlock(state, config, context),
    last ? latestCheckHead(last, context.now) : "",
    last ? metricTable(last, config) : "",
    countsBlock(state, config, context.now),
    trendSection(state),
    last ? queriesSection(last.metrics.filter((metric) => metric.verdict !== "pass")) : "",
    context.commandHint ? commandsBlock(state, config) : "",
  ];
}

function headBlock(state: CanaryState, config: CanaryConfig, context: CanaryRenderContext & { title: string }): string {
  const where = [
    `**${escapeMarkdown(context.environment)}**`,
    codeSpan(`Deployment/${state.namespace}/${state.workload}`),
    `revision ${codeSpan(state.revision.slice(0, 12))}`,
    `commit ${codeSpan(state.commit.slice(0, 7))}`,
    ...(state.pullRequest !== undefined ? [`pull request #${state.pullRequest}`] : []),
  ].join(" · ");
  const rules = `checks every ${formatIntervalWords(config.interval)}, ${plural(config.threshold, "failed check")} roll it back, at least ${plural(config.minRequests, "request")} per check`;
  const lines = [
    `### ${canaryIcon(state.phase)} ${escapeMarkdown(context.title)}`,
    "",
    where,
    "",
    `Steps (% of traffic): ${renderLadder(state, config)}; ${rules}.`,
  ];
  if (state.revert) lines.push("", revertLine(state.revert, context.now));
  if (state.message) lines.push("", `> ${escapeMarkdown(truncateText(state.message, ITEM_TEXT_MAX))}`);
  return `${lines.join("\n")}\n`;
}

function revertLine(revert: NonNullable<CanaryState["revert"]>, now: number): string {
  const why = revert.promotedAt
    ? `this revision ran with all traffic from ${formatTime(revert.promotedAt, now)} (recorded in ${codeSpan("slipway.dev/promoted")} on the stable Deployment)`
    : "the merge went back to the revision the stable Deployment runs";
  return `**Revert**: ${why}, so it is promoted at once, without steps or checks.`;
}

const formatIntervalWords = (ms: number): string => (ms % 60_000 === 0 ? plural(ms / 60_000, "minute") : plural(Math.round(ms / 1000), "second"));

function latestCheckHead(check: CheckRecord, now: number): string {
  const requests = check.requests === null ? "no request count" : plural(check.requests, "request");
  return `#### Latest check\n\nAt ${formatTime(check.at, now)}, step ${check.stepIndex + 1} at ${check.weight} %, ${requests}: ${verdictWords(check.verdict)}.\n`;
}

function verdictWords(verdict: Verdict): string {
  switch (verdict) {
    case "pass":
      return "✅ **passed**";
    case "fail":
      return "❌ **failed**";
    case "no-data":
      return "⏳ **not judged**: not enough data";
    case "error":
      return "⚠️ **not judged**: a query failed";
  }
}

/** The latest check's metrics, one row each. A section, so a long list of custom metrics is cut rather than the summary. */
export function metricTable(check: CheckRecord, config: Pick<CanaryConfig, "minRequests">): Section {
  return {
    head: "| Metric | Value | Threshold | Verdict |\n| --- | ---: | --- | --- |\n",
    items: check.metrics.map((metric) => {
      const cells = [escapeMarkdown(metric.name), escapeMarkdown(formatValue(metric.value, metric.unit)), escapeMarkdown(formatThreshold(metric)), metricVerdict(metric, check, config)];
      return `| ${cells.join(" | ")} |\n`;
    }),
    omitted: (count) => `\n… ${plural(count, "more metric")} not shown here.\n`,
  };
}

/** The verdict, and for anything but a pass, why: a failed query's error, or what "no data" means here. */
export function metricVerdict(metric: MetricResult, check: Pick<CheckRecord, "requests">, config: Pick<CanaryConfig, "minRequests">): string {
  const why = (fallback: string) => escapeMarkdown(truncateText(metric.message ?? fallback, CELL_TEXT_MAX));
  switch (metric.verdict) {
    case "pass":
      return "✅ pass";
    case "fail":
      return "❌ fail";
    case "error":
      return `⚠️ query failed: ${why("Prometheus answered with an error")}`;
    case "no-data":
      if (metric.value === null) return `⏳ no data: ${why("the query returned nothing; is traffic reaching the canary?")}`;
      return `⏳ not judged: ${why(`${check.requests ?? 0} requests in the window, ${config.minRequests} needed`)}`;
  }
}

function countsBlock(state: CanaryState, config: CanaryConfig, now: number): string {
  const lines = [`Failed checks: **${state.failedChecks} of ${config.threshold}** (at ${config.threshold} it rolls back).`];
  if (state.noDataChecks > 0) lines.push(`Checks in a row without enough data: **${state.noDataChecks}**; the canary does not move on without data.`);
  const due = nextCheckAt(state, config);
  if (due !== undefined && Number.isFinite(due)) lines.push(`Next check: ${formatTime(due, now)} (${formatIn(due, now)}).`);
  return `${lines.join("\n")}\n`;
}

/**
 * Sparklines of the weight and every metric over the recorded checks, oldest first; each metric
 * is scaled to include its threshold, so a line near the top or bottom reads against it.
 */
function trendSection(state: CanaryState): Section {
  const weight = `| weight | ${codeSpan(sparkline(state.checks.map((check) => check.weight), { min: 0, max: 100 }), { inTable: true })} | ${state.checks.at(-1)?.weight ?? 0} % | 0 – 100 % |\n`;
  const metrics = metricSeries(state.checks).map(({ name, latest, values }) => {
    const line = sparkline(values, { ...(latest.min !== undefined ? { min: latest.min } : {}), ...(latest.max !== undefined ? { max: latest.max } : {}) });
    return `| ${escapeMarkdown(name)} | ${codeSpan(line, { inTable: true })} | ${escapeMarkdown(formatValue(latest.value, latest.unit))} | ${escapeMarkdown(formatThreshold(latest))} |\n`;
  });
  return {
    head: `#### Over the last ${plural(state.checks.length, "check")}\n\n| Series | Oldest → newest (${SPARKLINE_GAP} no data) | Latest | Threshold |\n| --- | --- | ---: | --- |\n`,
    items: state.checks.length > 0 ? [weight, ...metrics] : [],
    omitted: (count) => `\n… ${plural(count, "more series", "more series")} not shown here.\n`,
  };
}

/** The PromQL behind metrics, as sent: a wrong query is the commonest reason for "no data". */
export function queriesSection(metrics: MetricResult[], heading = "#### Queries of the metrics that did not pass"): Section {
  return {
    head: `${heading}\n\n`,
    items: metrics.map((metric) => {
      const query = truncateText(metric.query, QUERY_TEXT_MAX, "\n# … cut: the query is longer than 2,000 characters");
      return `**${escapeMarkdown(metric.name)}**\n\n${codeFence(query, "promql")}`;
    }),
    omitted: (count) => `\n… ${plural(count, "more query", "more queries")} not shown here.\n`,
  };
}

function commandsBlock(state: CanaryState, config: CanaryConfig): string {
  const name = state.workload;
  const command = (verb: string) => codeSpan(`/canary ${verb} ${name}`);
  if (state.phase === "failed" || state.phase === "aborted") {
    const revert = state.phase === "failed" && config.revertPullRequest ? `, or ${command("revert")} (or press Revert) for a pull request that reverts its merge` : "";
    return `Comment ${command("retry")} on the pull request to try this revision again${revert}.\n`;
  }
  const verbs = canaryActions(state.phase).flatMap((action) => canaryButtonVerb(action.identifier) ?? []);
  if (verbs.length === 0) return "";
  // At the gate one promote is the whole promotion; before it, one step, and --full skips the rest.
  const promote = !verbs.includes("promote") ? [] : state.phase === "awaiting-promotion" ? [`${command("promote")} (promote)`] : [`${command("promote")} (next step)`, `${codeSpan(`/canary promote ${name} --full`)} (promote now)`];
  const others = verbs.filter((verb) => verb !== "promote").map(command);
  return `Steer it with a comment on the pull request: ${[...promote, ...others, command("status")].join(", ")}.\n`;
}

/** The text: checks newest first, the latest queries, and the audit trail. Old checks are cut first, then old events. */
function renderHistory(state: CanaryState, now: number, limits: { max: number; measure: (text: string) => number }): string {
  const checks = checksSection(state, now);
  const last = state.checks.at(-1);
  const queries = last ? queriesSection(last.metrics, "#### Queries of the latest check") : "";
  const events = eventsSection(state, now);
  const eventsInFull = events.items.length > 0 ? events.head + events.items.join("") : "";
  return (
    layoutBlocks([checks, queries, eventsInFull], limits) ??
    layoutBlocks([checks, queries, events], limits) ??
    "The history does not fit in a check run (GitHub allows 65,535 bytes).\n"
  ) || "_No checks and no events yet._\n";
}

function checksSection(state: CanaryState, now: number): Section {
  const row = (check: CheckRecord) => {
    const metrics = check.metrics
      .map((metric) => {
        const why = metric.verdict !== "pass" && metric.message ? ` (${truncateText(metric.message, CELL_TEXT_MAX)})` : "";
        return `${escapeMarkdown(`${metric.name} ${formatValue(metric.value, metric.unit)}${why}`)} ${verdictMark(metric.verdict)}`;
      })
      .join(" · ");
    const requests = check.requests === null ? "—" : String(check.requests);
    return `| ${formatTime(check.at, now)} | ${check.stepIndex + 1} | ${check.weight} % | ${requests} | ${verdictMark(check.verdict)} ${check.verdict} | ${metrics} |\n`;
  };
  return {
    head: "#### Checks, newest first\n\n| Time | Step | Weight | Requests | Verdict | Metrics |\n| --- | ---: | ---: | ---: | --- | --- |\n",
    items: [...state.checks].reverse().map(row),
    omitted: (count) => `\n… ${plural(count, "older check")} not shown here.\n`,
  };
}

function verdictMark(verdict: Verdict): string {
  switch (verdict) {
    case "pass":
      return "✅";
    case "fail":
      return "❌";
    case "no-data":
      return "⏳";
    case "error":
      return "⚠️";
  }
}

function eventsSection(state: CanaryState, now: number): Section {
  return {
    head: "#### Audit trail, newest first\n\n| Time | Who | Via | What |\n| --- | --- | --- | --- |\n",
    items: [...state.events].reverse().map((event) => {
      const cells = [formatTime(event.at, now), escapeMarkdown(event.by), escapeMarkdown(event.via), escapeMarkdown(truncateText(event.what, CELL_TEXT_MAX))];
      return `| ${cells.join(" | ")} |\n`;
    }),
    omitted: (count) => `\n… ${plural(count, "older event")} not shown here.\n`,
  };
}
