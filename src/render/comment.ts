// The sticky pull-request comment: every environment's plan in one body, kept within GitHub's
// comment limit by leaving out whole items, with a pointer to the check run for the rest.
import type { EnvironmentPlan } from "../plan/types.js";
import { checkRunName } from "./check-run.js";
import { codeSpan, isSafeUrl } from "./escape.js";
import { type Block, layoutBlocks } from "./layout.js";
import { COMMENT_BODY_BUDGET } from "./limits.js";
import { objectsSection } from "./object-block.js";
import { renderEnvironmentHead, renderReportSections } from "./report.js";

export interface PlanCommentParams {
  plans: EnvironmentPlan[];
  headSha: string;
  /** A check run's `html_url` per environment name, linked from "not shown here" notes. */
  checkRunUrls?: Record<string, string>;
  /** The plan of a change to .github/slipway.yml itself (render/config-change.ts), shown first. */
  configChange?: string;
  /** A hidden HTML comment, e.g. `<!-- slipway:plan -->`, by which the sticky comment is found again. */
  marker: string;
}

const measureLength = (text: string): number => text.length;

export function renderPlanComment(params: PlanCommentParams): string {
  const { marker, plans } = params;
  // The marker must stay invisible and must not end early, or the comment is never found again.
  if (!/^<!--(?:(?!-->)[\s\S])*-->$/.test(marker)) {
    throw new Error(`comment marker must be one HTML comment, got ${JSON.stringify(marker)}`);
  }
  const title = `${marker}\n## Slipway plan for ${codeSpan(shortSha(params.headSha))}\n`;
  const limit = { max: COMMENT_BODY_BUDGET, measure: measureLength };
  const blocks: Block[] = [title];
  if (params.configChange) blocks.push(params.configChange);
  else if (plans.length === 0) blocks.push("No environment is affected by this pull request.\n");
  for (const plan of plans) {
    const hint = checkRunHint(plan.environment, params.checkRunUrls);
    blocks.push(renderEnvironmentHead(plan), ...renderReportSections(plan, hint), objectsSection(plan, hint, limit));
  }
  const body = layoutBlocks(blocks, limit);
  // Only reachable with absurd input (hundreds of environments); still a valid comment.
  return body ?? `${title}\nThe plan is too large for a comment: see the check runs of this commit.\n`;
}

/** Where the full report is: a link to the environment's check run when we have one. */
function checkRunHint(environment: string, urls: Record<string, string> | undefined): string {
  const url = urls?.[environment];
  if (url !== undefined && isSafeUrl(url)) return `see the [check run](${url})`;
  return `see the check run ${codeSpan(checkRunName(environment))}`;
}

function shortSha(sha: string): string {
  return /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7) : sha.slice(0, 40);
}
