// One collapsible block per listed object, with its diff (or, for a Secret, its key states),
// and the section of all of them for an environment.
import type { EnvironmentPlan, ObjectPlan, SecretKeyChange } from "../plan/types.js";
import { countPlan } from "../plan/summary.js";
import { codeFence, codeSpan, escapeHtml, escapeMarkdown } from "./escape.js";
import { renderUpTo, type LayoutOptions, type Section } from "./layout.js";
import { truncateText } from "./limits.js";
import { describeAction, describeKeyState, isSecret, listedObjects, noteTitle } from "./listing.js";
import { plural } from "./plural.js";
import { ITEM_TEXT_MAX, formatPosition } from "./report.js";

/**
 * The most diff one object may show, so that one huge object (a CRD, a ConfigMap holding a
 * dashboard) cannot take the whole report: blocks are left out whole, and a block larger than
 * the space left would hide every object after it.
 */
export const OBJECT_DIFF_MAX = 20_000;

/** `text` cut after whole lines to at most about `max` characters, saying how many lines are left out. */
export function capLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.replace(/\n$/, "").split("\n");
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > max) break;
    kept.push(line);
    size += line.length + 1;
  }
  if (kept.length === 0) kept.push(truncateText(lines[0] ?? "", max));
  const left = lines.length - kept.length;
  return `${kept.join("\n")}\n… ${plural(left, "more line")} not shown\n`;
}

function secretKeyList(keys: SecretKeyChange[] | undefined): string {
  if (!keys || keys.length === 0) return "_Secret values are never shown._\n";
  const items = keys.map((change) => `- ${codeSpan(change.key)}: ${describeKeyState(change.state)}\n`).join("");
  return `Secret values are never shown; keys:\n\n${items}`;
}

/** A `<details>` block; its summary line is raw HTML, so it is escaped as HTML, not markdown. */
export function renderObjectBlock(object: ObjectPlan): string {
  const action = describeAction(object.action);
  const conflicts = object.conflicts.length > 0 ? ` · ${plural(object.conflicts.length, "conflict")}` : "";
  const summary = `${action.symbol} <code>${escapeHtml(object.name)}</code> ${action.outcome}${conflicts}`;
  const parts: string[] = [];
  if (object.position) parts.push(`Defined in ${codeSpan(formatPosition(object.position))}.\n`);
  if (object.note) parts.push(`**${noteTitle(object.action)}:** ${escapeMarkdown(truncateText(object.note, ITEM_TEXT_MAX))}\n`);
  if (isSecret(object)) parts.push(secretKeyList(object.secretKeys));
  else if (object.diff) parts.push(codeFence(capLines(object.diff, OBJECT_DIFF_MAX), "diff"));
  if (parts.length === 0) parts.push("_No diff available._\n");
  // The blank line after <summary> ends the HTML block, so what follows is read as markdown.
  return `<details><summary>${summary}</summary>\n\n${parts.join("\n")}\n</details>\n`;
}

/**
 * Every listed object of the environment, most consequential first; unchanged ones only counted.
 * Blocks are rendered only as far as the layout's limit could ever show them.
 */
export function objectsSection(plan: EnvironmentPlan, fullReportHint: string, limit: LayoutOptions): Section {
  const unchanged = countPlan(plan).unchanged;
  const unchangedNote = unchanged > 0 ? `${plural(unchanged, "unchanged object")} not listed.\n\n` : "";
  return {
    head: `#### Objects\n\n${unchangedNote}`,
    ...renderUpTo(listedObjects(plan), renderObjectBlock, limit),
    omitted: (count) =>
      `\n**${plural(count, "more object")} not shown here**, to stay within GitHub's size limit: ${fullReportHint}.\n`,
  };
}
