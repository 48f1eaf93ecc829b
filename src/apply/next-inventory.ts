// What the inventory records after an apply: every object Slipway may have written for the
// environment and not deleted, so an object it created is never forgotten (a forgotten object is
// never pruned). An entry for an object that turns out not to exist costs nothing: the next apply
// reads a 404 for it and drops it then.
import { identityKey, type ObjectRef } from "../manifests/object.js";
import type { ObjectResult } from "./types.js";

export function nextInventory(params: {
  previous: ObjectRef[];
  /** The results of the desired objects. */
  applied: ObjectResult[];
  /** The results of the prune candidates (pruned, failed, or not attempted). */
  pruned: ObjectResult[];
  /** Objects gone from Git that the inventory can forget: confirmed gone (404), or no longer Slipway's. */
  forget: ObjectRef[];
}): ObjectRef[] {
  const next = new Map<string, ObjectRef>(params.previous.map((ref) => [identityKey(ref), ref]));
  // Sent objects may exist even when their request failed (a timeout after the server wrote it).
  for (const result of params.applied) if (result.action !== "not-attempted") next.set(identityKey(result.ref), result.ref);
  for (const result of params.pruned) if (result.action === "pruned") next.delete(identityKey(result.ref));
  for (const ref of params.forget) next.delete(identityKey(ref));
  return [...next.values()];
}
