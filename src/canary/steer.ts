// A person steering a canary: promote, abort, pause or resume, from a pull request comment, a
// check run button or the command line. One function for all three, so they cannot drift apart:
// the verb is applied to the state as read, with the person and the place in its audit trail and
// the command's id in `commandsSeen` (a command runs once), and written with the version it was
// read at. When a tick or another command wrote first, it reads the state again and decides again.
import type { ObjectStore } from "../kube/objects.js";
import { recordEvent } from "./controller.js";
import { CanaryStateConflict, readCanaryState, writeCanaryState, type StoredCanaryState } from "./state-store.js";
import { finalPhases, type CanaryState, type CanaryVerb } from "./types.js";

/** The verbs that change a canary (`status` only reads it; `revert` opens a pull request, github/canary-revert.ts). */
export type SteeringVerb = Exclude<CanaryVerb, "status" | "revert">;

/** Where a command came from: shown in the check run's audit trail. */
export type CommandSource = "pull request comment" | "check run button" | "command line";

/** Who asked, from where, and the id that makes a command run once. */
export interface CommandOrigin {
  /** Who: a GitHub login, or `<user>@<host>` on the command line. */
  by: string;
  via: CommandSource;
  /** The comment id, the button's delivery, or one command line run: the command runs once. */
  id: string;
  now?: () => number;
}

export interface SteerCommand extends CommandOrigin {
  verb: SteeringVerb;
  /** `promote --full`: straight to promotion. */
  full: boolean;
}

/** Why a verb changes nothing: the canary's phase does not allow it. */
export type VerbRefusal =
  | { reason: "final"; state: Pick<CanaryState, "environment" | "workload"> & { phase: "succeeded" | "failed" | "aborted" | "superseded" } }
  | { reason: "not-final"; state: Pick<CanaryState, "environment" | "workload" | "phase"> }
  | { reason: "not-paused"; state: Pick<CanaryState, "environment" | "workload" | "phase"> };

/**
 * - changed: written; `before` is the state the verb was applied to, `state` what was written.
 * - refused: the phase does not allow it; nothing written.
 * - already-done: this command's id is in the state: it ran before.
 * - gone: the state was deleted since it was found.
 * - busy: other writers won every attempt; nothing written.
 */
export type SteerOutcome<Refusal = VerbRefusal> =
  | { outcome: "changed"; before: CanaryState; state: CanaryState }
  | { outcome: "refused"; refusal: Refusal }
  | { outcome: "already-done" }
  | { outcome: "gone" }
  | { outcome: "busy" };

/** Writes that lost to another writer before giving up. */
const ATTEMPTS = 3;
/** Command ids kept in a state: enough for the retries of any recent command. */
const SEEN_HISTORY = 100;

export function steerCanary(store: ObjectStore, found: StoredCanaryState, command: SteerCommand): Promise<SteerOutcome> {
  return writeCommand(store, found, command, (state) => {
    const change = applyVerb(state, command.verb, command.full);
    return "refusal" in change ? change : { state: change.state, what: commandWords(command) };
  });
}

/**
 * Records a command that changes nothing in the canary itself (`/canary revert`): its event in
 * the audit trail and its id in `commandsSeen`, so the same comment or button press runs once.
 */
export function recordCommand(store: ObjectStore, found: StoredCanaryState, command: CommandOrigin & { what: string }): Promise<SteerOutcome<never>> {
  return writeCommand<never>(store, found, command, (state) => ({ state, what: command.what }));
}

/** The state `decide` makes of the one read, with the command's event and id, written with the version it was read at. */
async function writeCommand<Refusal>(
  store: ObjectStore,
  found: StoredCanaryState,
  command: CommandOrigin,
  decide: (state: CanaryState) => { state: CanaryState; what: string } | { refusal: Refusal },
): Promise<SteerOutcome<Refusal>> {
  let current: StoredCanaryState | undefined = found;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (!current) return { outcome: "gone" };
    if (current.state.commandsSeen.includes(command.id)) return { outcome: "already-done" };
    const change = decide(current.state);
    if ("refusal" in change) return { outcome: "refused", refusal: change.refusal };
    const at = new Date((command.now ?? Date.now)()).toISOString();
    let next = recordEvent(change.state, { at, by: command.by, via: command.via, what: change.what });
    next = { ...next, commandsSeen: [...next.commandsSeen, command.id].slice(-SEEN_HISTORY) };
    try {
      await writeCanaryState(store, current, next, current.resourceVersion);
      return { outcome: "changed", before: current.state, state: next };
    } catch (error) {
      if (!(error instanceof CanaryStateConflict)) throw error;
      current = await readCanaryState(store, current);
    }
  }
  return { outcome: "busy" };
}

/** What the audit trail says was done: the command as the person would have typed it. */
export function commandWords(command: Pick<SteerCommand, "verb" | "full" | "via">): string {
  const prefix = command.via === "command line" ? "slipway canary" : "/canary";
  return `${prefix} ${command.verb}${command.full ? " --full" : ""}`;
}

/** What a verb does to a state, or why it does nothing. */
export function applyVerb(state: CanaryState, verb: SteeringVerb, full: boolean): { state: CanaryState } | { refusal: VerbRefusal } {
  const final = finalPhases.has(state.phase);
  if (verb === "retry") {
    if (state.phase !== "failed" && state.phase !== "aborted") return { refusal: final ? { reason: "final", state: { ...state, phase: state.phase as "succeeded" } } : { reason: "not-final", state } };
    return { state: { ...state, retryRequested: true } };
  }
  if (final) return { refusal: { reason: "final", state: { ...state, phase: state.phase as "failed" } } };
  switch (verb) {
    case "promote":
      return { state: { ...state, promoteRequested: full ? "full" : "step", ...(state.phase === "paused" ? { phase: state.pausedFrom ?? "progressing", pausedFrom: undefined } : {}) } };
    case "abort":
      return { state: { ...state, abortRequested: true } };
    case "pause":
      if (state.phase === "paused") return { state };
      return { state: { ...state, phase: "paused", pausedFrom: state.phase, message: "Paused: checks go on, and failing checks still roll it back; /canary resume goes on." } };
    case "resume":
      if (state.phase !== "paused") return { refusal: { reason: "not-paused", state } };
      return { state: { ...state, phase: state.pausedFrom ?? "progressing", pausedFrom: undefined, message: "Resumed." } };
  }
}
