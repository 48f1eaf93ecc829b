// One check run per environment: the report as its summary, the object diffs as its text, and
// annotations on the lines of findings and conflicts.
import type { EnvironmentPlan, PlanConclusion } from "../plan/types.js";
import { concludePlan, summaryLine } from "../plan/summary.js";
import { type CheckRunAnnotation, planAnnotations } from "./annotations.js";
import { codeSpan } from "./escape.js";
import { layoutBlocks } from "./layout.js";
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_SUMMARY_MAX,
  CHECK_RUN_TEXT_MAX,
  CHECK_RUN_TITLE_MAX,
  truncateText,
  utf8Length,
} from "./limits.js";
import { objectsSection } from "./object-block.js";
import { renderEnvironmentHead, renderReportSections } from "./report.js";

export interface CheckRunReport {
  name: string;
  conclusion: PlanConclusion;
  title: string;
  summary: string;
  text: string;
  annotations: CheckRunAnnotation[];
}

const FULL_REPORT_HINT = "run `slipway plan` for the full report";

export const checkRunName = (environment: string): string => `slipway/plan (${environment})`;

export function renderCheckRun(plan: EnvironmentPlan, params: { headSha: string }): CheckRunReport {
  const limits = (max: number) => ({ max, measure: utf8Length });
  const commit = `Planned for commit ${codeSpan(params.headSha.slice(0, 40))}.\n`;
  const report = [renderEnvironmentHead(plan), ...renderReportSections(plan, FULL_REPORT_HINT), commit];
  const summary =
    layoutBlocks(report, limits(CHECK_RUN_SUMMARY_MAX)) ??
    `**${summaryLine(plan)}**\n\nThe report is too large to show here: ${FULL_REPORT_HINT}.\n`;
  const text =
    layoutBlocks([objectsSection(plan, FULL_REPORT_HINT, limits(CHECK_RUN_TEXT_MAX))], limits(CHECK_RUN_TEXT_MAX)) || "_No object changes._\n";
  return {
    name: checkRunName(plan.environment),
    conclusion: concludePlan(plan),
    title: truncateText(summaryLine(plan), CHECK_RUN_TITLE_MAX),
    summary,
    text,
    annotations: planAnnotations(plan),
  };
}

/**
 * Annotations in groups GitHub accepts in one request: create the check run with the first,
 * then update it with each of the others (updates append).
 */
export function batchAnnotations<T>(annotations: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1 || size > ANNOTATIONS_PER_REQUEST) {
    throw new RangeError(`annotation batch size must be 1 to ${ANNOTATIONS_PER_REQUEST}, got ${size}`);
  }
  const batches: T[][] = [];
  for (let start = 0; start < annotations.length; start += size) batches.push(annotations.slice(start, start + size));
  return batches;
}
