// The check run `slipway/drift (<environment>)` on the applied commit: live objects that differ
// from Git in fields Slipway sets, with their diffs (live −, Git +), or that none do.
import type { Drift, DriftedObject } from "../plan/drift.js";
import { describeOwner } from "./conflicts.js";
import { codeSpan, escapeMarkdown } from "./escape.js";
import { layoutBlocks } from "./layout.js";
import { CHECK_RUN_SUMMARY_MAX, CHECK_RUN_TEXT_MAX, truncateText, utf8Length } from "./limits.js";
import { renderObjectBlock } from "./object-block.js";
import { plural } from "./plural.js";

export const driftCheckRunName = (environment: string): string => `slipway/drift (${environment})`;

export interface DriftCheckRun {
  name: string;
  conclusion: "success" | "neutral";
  title: string;
  summary: string;
  text: string;
}

export interface DriftReportParams {
  environment: string;
  drift: Drift;
  /** `correct`: Slipway re-applies the commit now; `report`: it only says so. */
  mode: "report" | "correct";
  /** Whether the re-apply may take back fields another manager owns now (`conflicts: force`). */
  force: boolean;
}

export function renderDriftCheckRun(params: DriftReportParams): DriftCheckRun {
  const { environment, drift } = params;
  const at = `**${escapeMarkdown(environment)}** at ${codeSpan(drift.commit.slice(0, 12))}`;
  const name = driftCheckRunName(environment);
  if (drift.objects.length === 0) {
    return { name, conclusion: "success", title: "No drift: the cluster matches Git", summary: `${at}: every object matches Git in the fields Slipway sets.`, text: "" };
  }
  const summary = [
    `${at}: ${plural(drift.objects.length, "object")} in the cluster ${drift.objects.length === 1 ? "differs" : "differ"} from Git in fields Slipway sets. The diffs below show the live object (−) and Git (+).`,
    "",
    ...drift.objects.flatMap(objectLines),
    "",
    nextStep(params),
  ].join("\n");
  const text = layoutBlocks(
    [{ head: "", items: drift.objects.map((object) => renderObjectBlock(object.plan)), omitted: (count) => `\n**${plural(count, "more object")} not shown**: GitHub limits a check run's output to 65,535 bytes.\n` }],
    { max: CHECK_RUN_TEXT_MAX, measure: utf8Length },
  );
  return {
    name,
    conclusion: "neutral",
    title: `${plural(drift.objects.length, "object")} drifted from Git`,
    summary: truncateText(summary, CHECK_RUN_SUMMARY_MAX / 3),
    text: text ?? "",
  };
}

function objectLines(object: DriftedObject): string[] {
  const what = object.action === "create" ? "is gone from the cluster" : "changed in the cluster";
  const owners = object.plan.conflicts.map((conflict) => `  - ${codeSpan(conflict.field)} is now owned by ${escapeMarkdown(describeOwner(conflict))}`);
  return [`- ${codeSpan(object.name)} ${what}`, ...owners];
}

function nextStep(params: DriftReportParams): string {
  const owned = params.drift.objects.some((object) => object.plan.conflicts.length > 0);
  const takeBack = owned && !params.force ? " Fields another manager owns now are not taken back: that object's apply fails unless the environment sets `conflicts: force`." : "";
  switch (params.mode) {
    case "correct":
      return `Slipway re-applies this commit now (\`drift: correct\`); its \`slipway/apply\` check run says what it changed.${takeBack}`;
    case "report":
      return `Slipway only reports this (\`drift: report\`). To put Git's values back, re-run this commit's \`slipway/apply\` check, or set \`drift: correct\`.${takeBack}`;
  }
}
