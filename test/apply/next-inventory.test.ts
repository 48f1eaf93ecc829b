import { describe, expect, it } from "vitest";
import { nextInventory } from "../../src/apply/next-inventory.js";
import type { ApplyAction, ObjectResult } from "../../src/apply/types.js";
import { displayName, type ObjectRef } from "../../src/manifests/object.js";

const cm = (name: string): ObjectRef => ({ apiVersion: "v1", kind: "ConfigMap", namespace: "apps", name });
const result = (ref: ObjectRef, action: ApplyAction): ObjectResult => ({ ref, name: displayName(ref), action, conflicts: [], durationMs: 0 });
const names = (refs: ObjectRef[]) => refs.map((ref) => ref.name).sort();

describe("nextInventory", () => {
  it("records what was applied and forgets what was pruned", () => {
    const next = nextInventory({ previous: [cm("a"), cm("old")], applied: [result(cm("a"), "unchanged"), result(cm("b"), "created")], pruned: [result(cm("old"), "pruned")], forget: [] });
    expect(names(next)).toEqual(["a", "b"]);
  });

  it("keeps a new object whose apply failed (it may have been written before the failure) but not one never sent", () => {
    const next = nextInventory({ previous: [], applied: [result(cm("timed-out"), "failed"), result(cm("never-sent"), "not-attempted")], pruned: [], forget: [] });
    expect(names(next)).toEqual(["timed-out"]);
  });

  it("keeps an object of the last apply that this one did not get to, and a prune that failed or was skipped", () => {
    const next = nextInventory({
      previous: [cm("a"), cm("renamed-old"), cm("delete-failed")],
      applied: [result(cm("a"), "not-attempted"), result(cm("renamed-new"), "failed")],
      pruned: [result(cm("renamed-old"), "not-attempted"), result(cm("delete-failed"), "failed")],
      forget: [],
    });
    expect(names(next)).toEqual(["a", "delete-failed", "renamed-new", "renamed-old"]);
  });

  it("forgets only what it is told is gone or no longer Slipway's", () => {
    const next = nextInventory({ previous: [cm("gone"), cm("unreadable")], applied: [result(cm("a"), "configured")], pruned: [], forget: [cm("gone")] });
    expect(names(next)).toEqual(["a", "unreadable"]);
  });
});
