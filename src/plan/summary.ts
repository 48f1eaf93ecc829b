// Counts and conclusion of an environment plan: the single definition the comment, the check
// run and the command line's exit code all use.
import type { EnvironmentPlan, PlanConclusion, PlanCounts } from "./types.js";

export function countPlan(plan: EnvironmentPlan): PlanCounts {
  const counts: PlanCounts = { create: 0, change: 0, unchanged: 0, adopt: 0, prune: 0, retain: 0, unverified: 0, rejected: 0, conflicts: 0, errors: 0, warnings: 0 };
  for (const object of plan.objects) {
    counts[object.action] += 1;
    counts.conflicts += object.conflicts.length;
  }
  for (const finding of plan.findings) {
    if (finding.severity === "error") counts.errors += 1;
    else if (finding.severity === "warning") counts.warnings += 1;
  }
  return counts;
}

/**
 * Failure for invalid manifests, rejected dry-runs, a run that could not finish, or conflicts
 * when they are configured to fail (blocking conflicts fail whatever the configuration).
 */
export function concludePlan(plan: EnvironmentPlan): PlanConclusion {
  const counts = countPlan(plan);
  if (plan.error || counts.errors > 0 || counts.rejected > 0) return "failure";
  const conflicts = plan.objects.flatMap((object) => object.conflicts);
  if (conflicts.some((conflict) => conflict.blocking)) return "failure";
  if (plan.conflictsFail && conflicts.length > 0) return "failure";
  return "success";
}

/** Whether applying the plan would change anything (the CLI's exit code 1). */
export function planHasChanges(plan: EnvironmentPlan): boolean {
  return plan.objects.some((object) => object.action !== "unchanged" && object.action !== "retain");
}

/** "2 to create, 3 to change, 1 to prune, 1 conflict" — only the non-zero parts. */
export function summaryLine(plan: EnvironmentPlan): string {
  const counts = countPlan(plan);
  const parts: string[] = [];
  const add = (n: number, singular: string, plural = singular) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? singular : plural}`);
  };
  add(counts.create, "to create");
  add(counts.change, "to change");
  add(counts.adopt, "to adopt");
  add(counts.prune, "to prune");
  add(counts.retain, "left in the cluster");
  add(counts.rejected, "rejected");
  add(counts.unverified, "not verifiable by dry-run");
  add(counts.conflicts, "conflict", "conflicts");
  add(counts.errors, "error", "errors");
  if (parts.length === 0) return plan.error ? "plan failed" : `no changes (${counts.unchanged} unchanged)`;
  return parts.join(", ");
}
