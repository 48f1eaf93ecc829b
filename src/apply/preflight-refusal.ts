// Why nothing may be applied after the preflight: invalid manifests, rejected dry-runs, an
// unreachable cluster, an empty desired set.
import type { EnvironmentPlan } from "../plan/types.js";

export function preflightRefusal(plan: EnvironmentPlan): string | undefined {
  if (plan.error) return plan.error;
  const errors = plan.findings.filter((finding) => finding.severity === "error");
  const rejected = plan.objects.filter((object) => object.action === "rejected");
  if (errors.length > 0 || rejected.length > 0) {
    const parts = [
      errors.length > 0 ? `${errors.length} invalid manifest finding${errors.length === 1 ? "" : "s"}` : "",
      rejected.length > 0 ? `${rejected.length} object${rejected.length === 1 ? "" : "s"} whose dry-run the API server rejected (${rejected.map((object) => object.name).join(", ")})` : "",
    ].filter(Boolean);
    return `Nothing was applied: ${parts.join(" and ")}. Fix them in Git; the next push applies.`;
  }
  if (plan.objects.length === 0) {
    return "Nothing was applied and nothing pruned: the environment's paths hold no objects at this commit. An empty desired set is far more likely a broken path than an intent to delete everything.";
  }
  return undefined;
}
