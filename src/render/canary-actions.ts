// The canary check run's buttons. GitHub shows at most three (CHECK_RUN_ACTIONS_MAX); a click
// comes back as `check_run.requested_action` with the identifier, which the handler turns into
// the same command as `/canary <verb>` (and checks the same way: write access, the revision).
import type { CanaryPhase } from "../canary/types.js";

export type CanaryButtonVerb = "promote" | "abort" | "pause" | "resume" | "revert";

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

/** The identifier each button sends back, and the verb it stands for. */
export const canaryActionIdentifiers: Record<CanaryButtonVerb, string> = {
  promote: "canary-promote",
  abort: "canary-abort",
  pause: "canary-pause",
  resume: "canary-resume",
  revert: "canary-revert",
};

/** The verb a button's identifier stands for; undefined for an identifier Slipway never sent. */
export function canaryButtonVerb(identifier: string): CanaryButtonVerb | undefined {
  const entry = Object.entries(canaryActionIdentifiers).find(([, id]) => id === identifier);
  return entry?.[0] as CanaryButtonVerb | undefined;
}

const button = (verb: CanaryButtonVerb, label: string, description: string): CheckRunAction => ({ label, description, identifier: canaryActionIdentifiers[verb] });

const abort = button("abort", "Abort", "All traffic back to stable now");

/**
 * Promote, Abort and Pause while the canary moves or waits at the gate; Resume and Abort when
 * paused (a paused canary does not take a step, so Promote would do nothing); Abort alone
 * before any traffic moves. None once it promotes or rolls back: nothing is left to steer;
 * but a failed canary whose entry sets `revertPullRequest: true` offers Revert (a pull request
 * that reverts its merge).
 */
export function canaryActions(phase: CanaryPhase, options: { revertPullRequest?: boolean } = {}): CheckRunAction[] {
  switch (phase) {
    case "starting":
    case "preflight":
      return [abort];
    case "progressing":
      return [button("promote", "Promote", "Go to the next step now"), abort, button("pause", "Pause", "Stay at this step; checks go on")];
    case "awaiting-promotion":
      return [button("promote", "Promote", "Give the new revision all traffic"), abort, button("pause", "Pause", "Keep checking; hold the gate")];
    case "paused":
      return [button("resume", "Resume", "Go on from where it was paused"), abort];
    case "failed":
      return options.revertPullRequest ? [button("revert", "Revert", "Open a pull request reverting the merge")] : [];
    case "promoting":
    case "finalising":
    case "rolling-back":
    case "succeeded":
    case "aborted":
    case "superseded":
      return [];
  }
}
