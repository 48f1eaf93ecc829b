// `/canary revert` and the Revert button of a failed canary's check run: a pull request that
// reverts the merge whose revision failed (revert-pull-request.ts). Refused, with the reason,
// when the canary did not fail (it runs, was promoted or aborted, or a newer merge superseded it)
// or its `canary:` entry does not set `revertPullRequest: true`. Each comment or button press
// runs once: its id goes into the state's `commandsSeen`, with a line in the audit trail.
import { recordCommand, type CommandOrigin } from "../canary/steer.js";
import type { StoredCanaryState } from "../canary/state-store.js";
import type { ObjectStore } from "../kube/objects.js";
import { renderRevertOutcome, revertEventWords } from "../render/canary-revert.js";
import { renderCanaryRefused } from "../render/command-replies.js";
import type { CommandAnswer } from "./canary.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { openRevertPullRequest } from "./revert-pull-request.js";

export async function revertCanary(params: {
  octokit: GitHubClient;
  repo: RepoRef;
  store: ObjectStore;
  stored: StoredCanaryState;
  /** The environment's `canary:` entry for the workload sets `revertPullRequest: true` (in .github/slipway.yml now). */
  enabled: boolean;
  origin: CommandOrigin;
}): Promise<CommandAnswer | undefined> {
  const { state } = params.stored;
  if (state.commandsSeen.includes(params.origin.id)) return undefined;
  const replyTo = state.pullRequest !== undefined ? { pullRequest: state.pullRequest } : {};
  if (state.phase !== "failed") return { reply: renderCanaryRefused("revert", { reason: "not-failed", state: { ...state, phase: state.phase } }), changed: false, ...replyTo };
  if (!params.enabled) return { reply: renderCanaryRefused("revert", { reason: "revert-not-enabled", state }), changed: false, ...replyTo };
  const outcome = await openRevertPullRequest(params.octokit, { repo: params.repo, state, by: params.origin.by });
  // The pull request is made (or refused) whatever happens to this record: a state deleted or
  // busy meanwhile loses only the audit line, and the branch keeps a second request from making another.
  await recordCommand(params.store, params.stored, { ...params.origin, what: revertEventWords(outcome) });
  return { reply: renderRevertOutcome(outcome, { state }), changed: outcome.kind === "opened" || outcome.kind === "exists", ...replyTo };
}
