// What a report lists, in what order, and the words for each action. Shared by the markdown
// and the terminal renderers so both tell the same story.
import { groupOf } from "../manifests/object.js";
import type { Finding, FindingSeverity } from "../manifests/types.js";
import type { EnvironmentPlan, ObjectPlan, PlanAction, SecretKeyState } from "../plan/types.js";

type ListedAction = Exclude<PlanAction, "unchanged">;

/**
 * Most consequential first, so that when a report must leave objects out (they are dropped
 * from the end) what goes is the least important: refusals, then deletions, then changes.
 */
const LISTING_ORDER: Record<ListedAction, number> = { rejected: 0, prune: 1, adopt: 2, change: 3, create: 4, retain: 5, unverified: 6 };

/** Every object except unchanged ones (which are only counted), in listing order; stable within an action. */
export function listedObjects(plan: EnvironmentPlan): ObjectPlan[] {
  const listed = plan.objects.filter(
    (object): object is ObjectPlan & { action: ListedAction } => object.action !== "unchanged",
  );
  return listed
    .map((object, index) => ({ object, index }))
    .sort((a, b) => LISTING_ORDER[a.object.action] - LISTING_ORDER[b.object.action] || a.index - b.index)
    .map(({ object }) => object);
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, notice: 2 };

/** Errors first, then warnings, then notices, so errors are the last to be left out; stable otherwise. */
export function sortedFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

export interface ActionWords {
  /** The diff-like symbol shown before the object's name. */
  symbol: string;
  /** What happens to the object: "will be created". */
  outcome: string;
}

export function describeAction(action: PlanAction): ActionWords {
  switch (action) {
    case "create":
      return { symbol: "+", outcome: "will be created" };
    case "change":
      return { symbol: "~", outcome: "will change" };
    case "unchanged":
      return { symbol: "=", outcome: "unchanged" };
    case "adopt":
      return { symbol: "»", outcome: "will be adopted (taken over)" };
    case "prune":
      return { symbol: "-", outcome: "will be pruned (deleted)" };
    case "retain":
      return { symbol: "·", outcome: "removed from Git, will stay in the cluster" };
    case "unverified":
      return { symbol: "?", outcome: "not verified by dry-run" };
    case "rejected":
      return { symbol: "!", outcome: "rejected by the API server" };
  }
}

/** How an object's `note` is introduced: it explains a refusal, a gap, or is just a remark. */
export function noteTitle(action: PlanAction): string {
  switch (action) {
    case "rejected":
      return "Rejected";
    case "unverified":
      return "Not verified";
    case "adopt":
      return "Adoption";
    case "retain":
      return "Why it stays";
    case "create":
    case "change":
    case "unchanged":
    case "prune":
      return "Note";
  }
}

/**
 * Secrets are shown by key state only, never by diff: the planner masks values, but a
 * rendering that never prints a Secret's diff cannot leak one if masking ever misses.
 */
export function isSecret(object: ObjectPlan): boolean {
  return object.secretKeys !== undefined || (object.ref.kind === "Secret" && groupOf(object.ref.apiVersion) === "");
}

/** A Secret key's state in words; "written" says the plan did not compare it. */
export function describeKeyState(state: SecretKeyState): string {
  return state === "written" ? "written (not compared with the live value)" : state;
}
