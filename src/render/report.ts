// The markdown report for one environment, shared by the sticky comment and the check run:
// heading, summary line, skipped-checks callout, run error, findings, conflicts, roll-outs.
// Objects and their diffs are rendered by object-block.ts.
import type { Finding, FindingSeverity, SourcePosition } from "../manifests/types.js";
import { concludePlan, summaryLine } from "../plan/summary.js";
import type { EnvironmentPlan, FieldConflict } from "../plan/types.js";
import { describeOwner } from "./conflicts.js";
import { codeSpan, escapeMarkdown } from "./escape.js";
import type { Section } from "./layout.js";
import { truncateText } from "./limits.js";
import { describeMode } from "./mode.js";
import { isSecret, sortedFindings } from "./listing.js";
import { plural } from "./plural.js";

/**
 * A message, note or piece of advice is a sentence or two. An API error that quotes a whole
 * object is cut, so that one item cannot take the space of all the others.
 */
export const ITEM_TEXT_MAX = 1_000;
const ERROR_TEXT_MAX = 2_000;
/** Live and desired values in the conflict table are meant to be glanced at, not read in full. */
const CONFLICT_VALUE_MAX = 80;

export const formatPosition = (position: SourcePosition): string => `${position.file}:${position.line}`;

/** Heading, summary line, context, skipped-checks callout and run error: always shown in full. */
export function renderEnvironmentHead(plan: EnvironmentPlan): string {
  const mode = describeMode(plan.mode);
  const icon = concludePlan(plan) === "success" ? "✅" : "❌";
  const lines = [`### ${icon} ${escapeMarkdown(plan.environment)} · ${mode.label}`, "", `**${summaryLine(plan)}**`];
  if (plan.context) lines.push("", `Cluster context: ${codeSpan(plan.context)}`);
  if (mode.skipped) {
    const { title, checks, reason } = mode.skipped;
    lines.push("", "> [!NOTE]", `> **${title}.** ${checks} ${reason}`);
  }
  if (plan.error) {
    const error = escapeMarkdown(truncateText(plan.error, ERROR_TEXT_MAX));
    lines.push("", "> [!CAUTION]", `> **The plan could not finish:** ${error}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Findings, conflicts and roll-outs as sections that may be shortened; `fullReportHint` is
 * markdown saying where to read what was left out ("see the [check run](…)").
 */
export function renderReportSections(plan: EnvironmentPlan, fullReportHint: string): Section[] {
  return [
    findingsSection(plan.findings, fullReportHint),
    conflictsSection(plan, fullReportHint),
    rollOutSection(plan, fullReportHint),
    canarySection(plan, fullReportHint),
  ];
}

function severityIcon(severity: FindingSeverity): string {
  switch (severity) {
    case "error":
      return "❌";
    case "warning":
      return "⚠️";
    case "notice":
      return "ℹ️";
  }
}

function findingsSection(findings: Finding[], hint: string): Section {
  return {
    head: "#### Findings\n\n",
    items: sortedFindings(findings).map((finding) => {
      const where = [finding.position && formatPosition(finding.position), finding.object]
        .filter((part): part is string => Boolean(part))
        .map((part) => codeSpan(part))
        .join(" ");
      const message = escapeMarkdown(truncateText(finding.message, ITEM_TEXT_MAX));
      const line = `${where ? `${where}: ` : ""}${message} (${codeSpan(finding.code)})`;
      return `- ${severityIcon(finding.severity)} **${finding.severity}** ${line}\n`;
    }),
    omitted: (count) => `- … ${plural(count, "more finding")} not shown here: ${hint}.\n`,
  };
}

function conflictRow(conflict: FieldConflict, hideValues: boolean): string {
  const cell = (text: string) => codeSpan(text, { inTable: true });
  const where = conflict.position ? `<br>${cell(formatPosition(conflict.position))}` : "";
  const object = `${cell(conflict.object)}${where}`;
  const owner = escapeMarkdown(describeOwner(conflict));
  const value = (text?: string) => (text === undefined ? "_unset_" : cell(truncateText(text, CONFLICT_VALUE_MAX)));
  // Values are masked by the planner for Secrets; hiding them here as well costs nothing.
  const values = hideValues ? "_hidden (Secret)_" : `${value(conflict.liveValue)} → ${value(conflict.desiredValue)}`;
  const advice = `${conflict.blocking ? "**Blocking.** " : ""}${escapeMarkdown(truncateText(conflict.advice, ITEM_TEXT_MAX))}`;
  const when = conflict.time ? escapeMarkdown(conflict.time) : "—";
  return `| ${object} | ${cell(conflict.field)} | ${owner} | ${when} | ${values} | ${advice} |\n`;
}

function conflictsSection(plan: EnvironmentPlan, hint: string): Section {
  const rows = plan.objects.flatMap((object) => object.conflicts.map((conflict) => conflictRow(conflict, isSecret(object))));
  return {
    head:
      "#### Ownership conflicts\n\n" +
      "| Object | Field | Owner | Last written | Live → desired | What to do |\n" +
      "| --- | --- | --- | --- | --- | --- |\n",
    items: rows,
    // The blank line ends the table; a line right after it would become another row.
    omitted: (count) => `\n… ${plural(count, "more conflict")} not shown here: ${hint}.\n`,
  };
}

/** "Deployment/apps/web will be canaried: 5 % → 10 % → 25 % → 50 % → promote (manual), checks every 1m: …". */
function canarySection(plan: EnvironmentPlan, hint: string): Section {
  const lines = (plan.canaries ?? []).flatMap((canary) => {
    const name = codeSpan(`Deployment/${canary.workload}`);
    const revision = codeSpan(canary.revision);
    switch (canary.kind) {
      case "none":
        return [];
      case "start":
      case "continue": {
        const ladder = [...canary.steps.map((step) => `${step} %`), `promote${canary.promotion === "manual" ? " (manual)" : ""}`].join(" → ");
        const every = canary.intervalMs % 60_000 === 0 ? `${canary.intervalMs / 60_000}m` : `${canary.intervalMs / 1000}s`;
        const checks = canary.checks.length > 0 ? `: ${canary.checks.join(", ")}` : "";
        const verb = canary.kind === "start" ? "will be canaried" : "is being canaried";
        return [`${name} ${verb} (revision ${revision}): ${ladder}, checks every ${every}${escapeMarkdown(checks)}. Until promotion the stable pods keep what they run (held back: ${canary.heldBack.map((held) => codeSpan(held)).join(", ")}).`];
      }
      case "promote":
        return [`${name}: the canary of revision ${revision} is being promoted; the stable Deployment takes it.`];
      case "held":
        return [`${name}: ${escapeMarkdown(canary.reason)}`];
      case "revert":
        return [
          canary.promotedAt
            ? `${name}: revert to revision ${revision}, promoted at ${escapeMarkdown(canary.promotedAt)}: the stable Deployment takes it at once, without a canary.`
            : `${name}: ${escapeMarkdown(canary.reason)}`,
        ];
    }
  });
  return {
    head: "#### Canaries\n\n",
    items: lines.map((line) => `- ${truncateText(line, ITEM_TEXT_MAX)}\n`),
    omitted: (count) => `- … ${plural(count, "more canary", "more canaries")} not shown here: ${hint}.\n`,
  };
}

function rollOutSection(plan: EnvironmentPlan, hint: string): Section {
  const lines = plan.objects.flatMap((object) => object.rollsOut ?? []);
  return {
    head: "#### Will roll out\n\n",
    items: lines.map((line) => `- ${escapeMarkdown(truncateText(line, ITEM_TEXT_MAX))}\n`),
    omitted: (count) => `- … ${plural(count, "more roll-out")} not shown here: ${hint}.\n`,
  };
}
