// How a finished canary is told outside its check run: the status of the environment's GitHub
// deployment (promoted → success, failed → failure, aborted or superseded → inactive) and, when it
// failed, a comment on the pull request whose merge started it, saying which metric broke which
// threshold with which query, and where the traffic is now.
import type { CanaryConfig } from "../config/canary-schema.js";
import type { CanaryState, CheckRecord } from "../canary/types.js";
import { queriesSection, metricTable } from "./canary.js";
import { describeBreach } from "./canary-format.js";
import { codeSpan, escapeMarkdown, isSafeUrl } from "./escape.js";
import { layoutBlocks } from "./layout.js";
import { COMMENT_BODY_BUDGET, truncateText } from "./limits.js";
import { plural } from "./plural.js";

/** GitHub's limit on a deployment status's description. */
const DEPLOYMENT_DESCRIPTION_MAX = 140;

export interface CanaryDeploymentStatus {
  state: "success" | "failure" | "inactive";
  description: string;
}

/** The deployment status a final canary gives the apply's deployment; undefined while it runs. */
export function canaryDeploymentStatus(state: CanaryState): CanaryDeploymentStatus | undefined {
  const status = (value: CanaryDeploymentStatus["state"], description: string): CanaryDeploymentStatus => ({ state: value, description: truncateText(description, DEPLOYMENT_DESCRIPTION_MAX) });
  switch (state.phase) {
    case "succeeded":
      return status("success", state.revert ? `Reverted to revision ${state.revision}, promoted at once` : `Canary promoted: revision ${state.revision} serves all traffic`);
    case "failed":
      return status("failure", `${failureHeadline(state)}; ${trafficWords(state)}`);
    case "aborted":
      return status("inactive", "Canary aborted; all traffic is back on the stable Deployment");
    case "superseded":
      return status("inactive", "Canary superseded by a newer merge");
    case "starting":
    case "preflight":
    case "progressing":
    case "awaiting-promotion":
    case "paused":
    case "promoting":
    case "finalising":
    case "rolling-back":
      return undefined;
  }
}

/** The comment on the merged pull request when its canary failed. */
export function renderCanaryFailureComment(state: CanaryState, config: CanaryConfig, context: { environment: string; checkRunUrl?: string }): string {
  const name = codeSpan(`Deployment/${state.namespace}/${state.workload}`);
  const check = decisiveCheck(state);
  const head = [
    `### ❌ The canary of ${name} in **${escapeMarkdown(context.environment)}** failed`,
    "",
    `Revision ${codeSpan(state.revision)} of commit ${codeSpan(state.commit.slice(0, 7))}: ${escapeMarkdown(failureHeadline(state))}.`,
    "",
    `**Traffic**: ${trafficWords(state)}.`,
    "",
    `> ${escapeMarkdown(truncateText(state.message, 1_000))}`,
    "",
  ].join("\n");
  const checkHead = check
    ? `#### The check that decided it\n\nStep ${check.stepIndex + 1} at ${check.weight} % of traffic, ${check.requests === null ? "no request count" : plural(check.requests, "request")} in the window:\n`
    : "";
  const next = [
    context.checkRunUrl && isSafeUrl(context.checkRunUrl) ? `[The check run](${context.checkRunUrl}) has every check and who did what.` : "The check run on the merge commit has every check and who did what.",
    state.weight === 100
      ? "Fix the stable Deployment (its pods run the new revision), or merge a revert."
      : `To try this revision again, comment ${codeSpan(`/canary retry ${state.workload}`)}; a new commit starts a new canary.`,
    ...(config.revertPullRequest ? [`To undo the merge, comment ${codeSpan(`/canary revert ${state.workload}`)} (or press Revert on the check run): Slipway opens a pull request that reverts it.`] : []),
  ].join(" ");
  const body = layoutBlocks(
    [
      head,
      checkHead,
      check ? metricTable(check, config) : "",
      check ? queriesSection(check.metrics.filter((metric) => metric.verdict !== "pass"), "#### Queries of the metrics that did not pass") : "",
      `${next}\n`,
    ],
    { max: COMMENT_BODY_BUDGET, measure: (text) => text.length },
  );
  return body ?? `${head}\nThe rest does not fit in a comment; see the check run.\n`;
}

/** The check that failed the canary: the last failing one, else (a preflight stop) the last one. */
function decisiveCheck(state: CanaryState): CheckRecord | undefined {
  return [...state.checks].reverse().find((check) => check.verdict === "fail") ?? (state.message.startsWith("Stopped before") ? state.checks.at(-1) : undefined);
}

/** "rolled back after 2 failed checks: success-rate 50 % < 95 %", "stopped before any traffic moved", or its message. */
export function failureHeadline(state: Pick<CanaryState, "checks" | "weight" | "failedChecks" | "message">): string {
  const failing = [...state.checks].reverse().find((check) => check.verdict === "fail");
  if (state.weight !== 100 && failing) {
    const breaches = failing.metrics.filter((metric) => metric.verdict === "fail").map(describeBreach);
    return `rolled back after ${plural(state.failedChecks, "failed check")}: ${breaches.join(", ")}`;
  }
  if (state.message.startsWith("Stopped before")) {
    const failed = state.checks.at(-1)?.metrics.filter((metric) => metric.verdict === "error").map((metric) => metric.name) ?? [];
    return `stopped before any traffic moved: ${failed.length > 0 ? `${failed.join(", ")} could not be queried` : "a query failed"}`;
  }
  return state.message.replace(/\.$/, "").split(/\.(?:\s|$)/, 1)[0] ?? "failed";
}

function trafficWords(state: CanaryState): string {
  return state.weight === 100
    ? "all traffic stays on the canary's pods, because the stable Deployment's pods, which took the new revision, are not ready"
    : "all traffic is back on the stable Deployment, whose pods never changed, and the canary is scaled to zero";
}
