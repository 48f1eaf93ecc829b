// The apply's check run `slipway/apply (<environment>)`, its deployment status and the comment
// on the merged pull request: what was applied, what was not, and why.
import type { ApplyAction, ApplyOutcome, ApplyReport, ObjectResult } from "../apply/types.js";
import { codeSpan, escapeMarkdown, isSafeUrl } from "./escape.js";
import { CHECK_RUN_SUMMARY_MAX, CHECK_RUN_TEXT_MAX, CHECK_RUN_TITLE_MAX, truncateText, utf8Length } from "./limits.js";
import { interruptedTitle } from "./interrupted.js";

export const applyCheckRunName = (environment: string): string => `slipway/apply (${environment})`;

export interface ApplyCheckRun {
  name: string;
  conclusion: "success" | "failure" | "skipped" | "neutral";
  title: string;
  summary: string;
  text: string;
}

const order: ApplyAction[] = ["failed", "not-attempted", "created", "configured", "pruned", "skipped", "unchanged"];

/** "not attempted" rather than the vocabulary's `not-attempted`. */
const actionWords = (action: ApplyAction): string => action.replace("-", " ");

export function renderApplyCheckRun(report: ApplyReport): ApplyCheckRun {
  const title = truncateText(applyTitle(report), CHECK_RUN_TITLE_MAX);
  const summary = [
    `**${escapeMarkdown(report.environment)}** at ${codeSpan(report.commit.slice(0, 12))}: ${outcomeWords(report)} in ${(report.durationMs / 1000).toFixed(1)} s.`,
    report.message ? `\n> ${escapeMarkdown(report.message)}` : "",
    ...report.findings
      .filter((finding) => finding.severity === "error")
      .slice(0, 50)
      .map((finding) => `- ${finding.position ? `${codeSpan(`${finding.position.file}:${finding.position.line}`)}: ` : ""}${escapeMarkdown(finding.message)}`),
    conflictLines(report.objects),
  ]
    .filter(Boolean)
    .join("\n");
  return {
    name: applyCheckRunName(report.environment),
    conclusion: conclusionOf(report.outcome),
    title,
    summary: fitBytes(summary, CHECK_RUN_SUMMARY_MAX),
    text: fitBytes(objectTable(report.objects), CHECK_RUN_TEXT_MAX),
  };
}

/** "2 created, 1 configured, 1 pruned, 10 unchanged", or why nothing was applied. */
export function applyTitle(report: ApplyReport): string {
  if (report.outcome === "refused") return "Nothing applied: the preflight refused this commit";
  if (report.outcome === "skipped") return "Skipped: an older commit than the one applied";
  if (report.outcome === "interrupted") return interruptedTitle;
  const counts = new Map<ApplyAction, number>();
  for (const object of report.objects) counts.set(object.action, (counts.get(object.action) ?? 0) + 1);
  const parts = order.filter((action) => counts.has(action)).map((action) => `${counts.get(action)} ${actionWords(action)}`);
  const notReady = report.objects.filter((object) => object.readiness?.ready === false).length;
  if (notReady > 0) parts.push(`${notReady} not ready`);
  return parts.join(", ") || (report.message ? "Apply failed" : "Nothing to apply");
}

function conclusionOf(outcome: ApplyOutcome): ApplyCheckRun["conclusion"] {
  switch (outcome) {
    case "applied":
      return "success";
    case "failed":
    case "refused":
      return "failure";
    case "skipped":
      return "skipped";
    // Not the commit's fault, and not over: the next start applies it again.
    case "interrupted":
      return "neutral";
  }
}

function outcomeWords(report: ApplyReport): string {
  switch (report.outcome) {
    case "applied":
      return "applied";
    case "failed":
      return report.objects.some((object) => object.action !== "failed" && object.action !== "skipped") ? "applied with failures" : "failed before anything was applied";
    case "refused":
      return "nothing applied";
    case "skipped":
      return "skipped";
    case "interrupted":
      return "interrupted";
  }
}

function conflictLines(objects: ObjectResult[]): string {
  const lines = objects.flatMap((object) =>
    object.conflicts.map(
      (conflict) =>
        `- ${codeSpan(object.name)} ${codeSpan(conflict.field)}: ${object.action === "failed" ? "owned by" : "taken over from"} ${codeSpan(conflict.manager)}${conflict.subresource ? ` (subresource ${codeSpan(conflict.subresource)})` : ""}`,
    ),
  );
  return lines.length === 0 ? "" : `\n**Field ownership**\n${lines.join("\n")}`;
}

function objectTable(objects: ObjectResult[]): string {
  const sorted = [...objects].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action) || a.name.localeCompare(b.name));
  const rows = sorted.map((object) => {
    const ready = object.readiness ? (object.readiness.ready ? "ready" : `not ready: ${object.readiness.reason}`) : "";
    const message = object.message ? escapeMarkdown(object.message).replace(/\|/g, "\\|") : "";
    return `| ${codeSpan(object.name, { inTable: true })} | ${actionWords(object.action)} | ${escapeMarkdown(ready).replace(/\|/g, "\\|")} | ${object.durationMs} ms | ${message} |`;
  });
  return ["| Object | Result | Readiness | Time | Message |", "|---|---|---|---:|---|", ...rows].join("\n");
}

/** Whole lines, cut from the end, within GitHub's byte limit. */
function fitBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  const note = "\n… more objects left out: GitHub limits a check run's output to 65,535 bytes.";
  // Keep lines while they fit, counting bytes once per line rather than re-joining the text.
  const kept: string[] = [];
  let used = utf8Length(note);
  for (const line of text.split("\n")) {
    used += utf8Length(line) + 1;
    if (used > max) break;
    kept.push(line);
  }
  return kept.join("\n") + note;
}

/** A push (or a re-run) of a commit the environment's branch no longer, or never, pointed at. */
export function renderNotBranchHead(params: { environment: string; sha: string; branch: string; head: string | undefined }): ApplyCheckRun {
  const where = params.head ? `the head of ${codeSpan(params.branch)} is ${codeSpan(params.head.slice(0, 12))}` : `the branch ${codeSpan(params.branch)} does not exist`;
  return {
    name: applyCheckRunName(params.environment),
    conclusion: "skipped",
    title: `Not applied: not the head of ${truncateText(params.branch, 100)}`,
    summary: `${codeSpan(params.sha.slice(0, 12))} was not applied to **${escapeMarkdown(params.environment)}**: ${where}. Slipway applies only the commit an environment's branch points at, so a stale delivery, a re-run of an older commit or a commit that was never on the branch changes nothing.`,
    text: "",
  };
}

/** The comment on the pull request whose merge was applied: the outcome, linking the check run. */
export function renderMergedPullRequestComment(params: { commit: string; environment: string; report: ApplyCheckRun; checkRunUrl: string }): string {
  const { report } = params;
  const link = params.checkRunUrl && isSafeUrl(params.checkRunUrl) ? ` ([details](${params.checkRunUrl}))` : "";
  const icon = report.conclusion === "success" ? "✅" : "❌";
  return `${icon} Slipway applied ${codeSpan(params.commit.slice(0, 12))} to **${escapeMarkdown(params.environment)}**: ${escapeMarkdown(report.title)}${link}`;
}

/** One line for a deployment status (GitHub allows 140 characters). */
export function deploymentDescription(report: ApplyReport): string {
  return truncateText(applyTitle(report), 140);
}
