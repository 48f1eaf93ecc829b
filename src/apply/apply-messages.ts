// The words of an apply's report as a whole: what failed, what was not attempted, and why
// nothing was pruned.
import type { ObjectResult } from "./types.js";

/** An object that keeps pruning from running: it failed, was not sent, or is not ready. */
export const unsettled = (result: ObjectResult): boolean =>
  result.action === "failed" || result.action === "not-attempted" || result.readiness?.ready === false;

/** "2 failed (…); 3 not attempted (…); 1 not ready (…). Everything else was applied; …", or "" when all went well. */
export function failureMessage(objects: ObjectResult[]): string {
  const named = (action: (result: ObjectResult) => boolean, words: string) => {
    const names = objects.filter(action).map((result) => result.name);
    return names.length > 0 ? `${names.length} ${words} (${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""})` : "";
  };
  const parts = [
    named((result) => result.action === "failed", "failed"),
    named((result) => result.action === "not-attempted", "not attempted"),
    named((result) => result.readiness?.ready === false, "not ready"),
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join("; ")}. Everything else was applied; fix the cause and push again or re-run this check.` : "";
}

/**
 * Why this apply prunes nothing, or undefined when it may prune. After any failure nothing is
 * pruned, as Flux skips garbage collection after a failed apply: a renamed object whose new name
 * failed (or is not ready) keeps its old one.
 */
export function pruneBlocked(params: { stopped: string | undefined; applied: ObjectResult[] }): string | undefined {
  if (params.stopped) return `the apply stopped (${params.stopped})`;
  const count = params.applied.filter(unsettled).length;
  if (count === 0) return undefined;
  return `${count} object${count === 1 ? "" : "s"} failed, ${count === 1 ? "was" : "were"} not applied or ${count === 1 ? "is" : "are"} not ready`;
}

/** The report's sentence for prune candidates left in place, and the per-object results saying so. */
export function skippedPrunes(candidates: ObjectResult["ref"][], reason: string, name: (ref: ObjectResult["ref"]) => string): { message: string; results: ObjectResult[] } {
  if (candidates.length === 0) return { message: "", results: [] };
  return {
    message: `Pruning skipped: ${reason}. The ${candidates.length} object${candidates.length === 1 ? "" : "s"} removed from Git stay${candidates.length === 1 ? "s" : ""} in the cluster and in the inventory until an apply succeeds.`,
    results: candidates.map((ref) => ({ ref, name: name(ref), action: "not-attempted", conflicts: [], message: `Not pruned: pruning was skipped (${reason}).`, durationMs: 0 })),
  };
}

/** What a report says when the Lease was lost: why, and what was applied (or pruned) before the apply stopped. */
export function leaseLostMessage(lost: Error | undefined, objects: ObjectResult[]): string {
  const count = (actions: ObjectResult["action"][]) => objects.filter((result) => actions.includes(result.action)).length;
  const pruned = count(["pruned"]);
  const what =
    objects.length === 0
      ? "Nothing was applied."
      : `${count(["created", "configured", "unchanged"])} applied, ${count(["failed"])} failed or cancelled in flight, ${count(["not-attempted"])} not attempted${pruned > 0 ? `, ${pruned} pruned` : ""} (see each object).`;
  // The inventory was written before the first object was sent: an apply stopped half way leaves
  // nothing it created unlisted (apply-environment.ts, addToInventory).
  const kept = pruned > 0 ? "The inventory lists every object this apply may have created" : "Nothing was pruned, and the inventory lists every object this apply may have created";
  return `Stopped: ${lost?.message ?? "the Lease was lost"}. ${what} ${kept}; the Lease's new holder applies now, or re-run this check.`;
}

/** What a report says when the server shut down mid-apply: what was done, and that the commit will be applied again. */
export function interruptedMessage(objects: ObjectResult[]): string {
  const count = (actions: ObjectResult["action"][]) => objects.filter((result) => actions.includes(result.action)).length;
  const what =
    objects.length === 0
      ? "Nothing was applied."
      : `${count(["created", "configured", "unchanged"])} applied, ${count(["failed"])} failed or cancelled in flight, ${count(["not-attempted"])} not attempted (see each object).`;
  // No commit is recorded: the reconcile sees the inventory behind the branch's head and applies it.
  return `The Slipway server shut down during this apply and stopped it. ${what} Nothing was pruned, and the inventory lists every object this apply may have created; the next start of the server applies this commit again.`;
}
