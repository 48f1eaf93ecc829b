// The plan for a terminal (`slipway plan`): the same content as the comment as indented plain
// lines, diffs coloured with ANSI escapes when asked. Text from manifests or the cluster has its
// control characters replaced, so a hostile manifest cannot move the cursor, recolour or
// retitle the terminal.
import { concludePlan, summaryLine } from "../plan/summary.js";
import type { EnvironmentPlan, ObjectPlan } from "../plan/types.js";
import { describeOwner } from "./conflicts.js";
import { describeMode } from "./mode.js";
import { describeAction, describeKeyState, isSecret, listedObjects, noteTitle, sortedFindings } from "./listing.js";
import { plural } from "./plural.js";
import { formatPosition } from "./report.js";
import { terminalText } from "./terminal.js";

const STYLES = { bold: "\x1b[1m", red: "\x1b[31m", green: "\x1b[32m", yellow: "\x1b[33m", cyan: "\x1b[36m" } as const;
const RESET = "\x1b[0m";

type Style = keyof typeof STYLES;
type Paint = (style: Style, text: string) => string;

export interface PlanTextOptions {
  /** Colour diffs and headings with ANSI escapes (when writing to a terminal that wants them). */
  color: boolean;
}

const clean = terminalText;

/** Clean, and indent every line after the first so multi-line text stays inside its item. */
const block = (text: string, indent: string): string => clean(text).replace(/\n/g, `\n${indent}`);

export function renderPlanText(plans: EnvironmentPlan[], opts: PlanTextOptions): string {
  const paint: Paint = (style, text) => (opts.color ? `${STYLES[style]}${text}${RESET}` : text);
  if (plans.length === 0) return "No environment is affected.\n";
  return `${plans.map((plan) => renderEnvironment(plan, paint).join("\n")).join("\n\n")}\n`;
}

function renderEnvironment(plan: EnvironmentPlan, paint: Paint): string[] {
  const mode = describeMode(plan.mode);
  const conclusion = concludePlan(plan);
  const verdict = conclusion === "success" ? paint("green", "success") : paint("red", "failure");
  const lines = [`${paint("bold", `${clean(plan.environment)} · ${mode.label}`)} — ${verdict}`, `  ${summaryLine(plan)}`];
  if (plan.context) lines.push(`  Cluster context: ${clean(plan.context)}`);
  if (mode.skipped) {
    const { title, checks, reason } = mode.skipped;
    lines.push(`  ${paint("yellow", `${title}.`)} ${checks} ${reason}`);
  }
  if (plan.error) lines.push(`  ${paint("red", "The plan could not finish:")} ${block(plan.error, "    ")}`);
  return [...lines, ...findingLines(plan), ...conflictLines(plan), ...rollOutLines(plan), ...objectLines(plan, paint)];
}

function findingLines(plan: EnvironmentPlan): string[] {
  if (plan.findings.length === 0) return [];
  return [
    "Findings:",
    ...sortedFindings(plan.findings).map((finding) => {
      const where = [finding.position && formatPosition(finding.position), finding.object].filter(Boolean).join(" ");
      const message = `${where ? `${where}: ` : ""}${finding.message} (${finding.code})`;
      return `  ${finding.severity.padEnd(8)}${block(message, "          ")}`;
    }),
  ];
}

function conflictLines(plan: EnvironmentPlan): string[] {
  const lines = plan.objects.flatMap((object) =>
    object.conflicts.flatMap((conflict) => {
      const where = conflict.position ? ` (${formatPosition(conflict.position)})` : "";
      const values = isSecret(object)
        ? "hidden (Secret)"
        : `${conflict.liveValue ?? "unset"} → ${conflict.desiredValue ?? "unset"}`;
      return [
        `  ${conflict.blocking ? "[blocking] " : ""}${conflict.object} ${conflict.field}${where}`,
        `    owner: ${describeOwner(conflict)}${conflict.time ? `, last written ${conflict.time}` : ""}`,
        `    live → desired: ${values}`,
        `    what to do: ${conflict.advice}`,
      ].map((line) => block(line, "      "));
    }),
  );
  return lines.length === 0 ? [] : ["Ownership conflicts:", ...lines];
}

function rollOutLines(plan: EnvironmentPlan): string[] {
  const lines = plan.objects.flatMap((object) => object.rollsOut ?? []);
  return lines.length === 0 ? [] : ["Will roll out:", ...lines.map((line) => `  ${block(line, "    ")}`)];
}

function objectLines(plan: EnvironmentPlan, paint: Paint): string[] {
  const objects = listedObjects(plan);
  const unchanged = plan.objects.length - objects.length;
  if (objects.length === 0) return unchanged > 0 ? [`${plural(unchanged, "object")} unchanged.`] : [];
  const heading = unchanged > 0 ? `Objects (${plural(unchanged, "unchanged object")} not listed):` : "Objects:";
  return [heading, ...objects.flatMap((object) => renderObject(object, paint))];
}

function renderObject(object: ObjectPlan, paint: Paint): string[] {
  const action = describeAction(object.action);
  const where = object.position ? ` (${formatPosition(object.position)})` : "";
  const lines = [`  ${paint("bold", `${action.symbol} ${clean(object.name)}`)} ${action.outcome}${clean(where)}`];
  if (object.note) lines.push(`      ${noteTitle(object.action)}: ${block(object.note, "      ")}`);
  if (isSecret(object)) {
    lines.push("      Secret values are never shown; keys:");
    lines.push(...(object.secretKeys ?? []).map((change) => `        ${clean(change.key)}: ${describeKeyState(change.state)}`));
  } else if (object.diff) {
    lines.push(...object.diff.replace(/\n$/, "").split("\n").map((line) => `      ${colorDiffLine(clean(line), paint)}`));
  }
  return lines;
}

function colorDiffLine(line: string, paint: Paint): string {
  if (line.startsWith("+++") || line.startsWith("---")) return paint("bold", line);
  if (line.startsWith("+")) return paint("green", line);
  if (line.startsWith("-")) return paint("red", line);
  if (line.startsWith("@@")) return paint("cyan", line);
  return line;
}
