// A canary decision as the plan and the apply report tell it: data for render/.
import { canaryWeights } from "../config/canary-schema.js";
import type { CanaryPlan } from "../plan/types.js";
import type { CanaryDecision } from "./canary.js";

/** The plan's account of a decision. */
export function canaryPlanOf(decision: CanaryDecision): CanaryPlan {
  return {
    workload: decision.workload,
    kind: decision.kind,
    revision: decision.revision,
    ...(decision.stableRevision ? { stableRevision: decision.stableRevision } : {}),
    heldBack: decision.heldBack,
    steps: canaryWeights(decision.config.steps),
    promotion: decision.config.promotion,
    reason: decision.reason,
  };
}
