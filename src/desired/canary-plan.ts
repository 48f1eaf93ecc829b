// A canary decision as the plan and the apply report tell it: data for render/.
import { canaryWeights, type CanaryMetricsConfig } from "../config/canary-schema.js";
import type { CanaryPlan } from "../plan/types.js";
import type { CanaryDecision } from "./canary.js";

/** The plan's account of a decision. */
export function canaryPlanOf(decision: CanaryDecision): CanaryPlan {
  return {
    workload: decision.workload,
    kind: decision.kind,
    revision: decision.revision,
    ...(decision.stableRevision ? { stableRevision: decision.stableRevision } : {}),
    ...(decision.promotedAt ? { promotedAt: decision.promotedAt } : {}),
    heldBack: decision.heldBack,
    steps: canaryWeights(decision.config.steps),
    promotion: decision.config.promotion,
    intervalMs: decision.config.interval,
    checks: checksOf(decision.config.metrics),
    reason: decision.reason,
  };
}

function checksOf(metrics: CanaryMetricsConfig): string[] {
  return [
    ...(metrics.successRate ? [`success rate ≥ ${metrics.successRate.min} %`] : []),
    ...(metrics.latencyP99 ? [`p99 ≤ ${metrics.latencyP99.max} ms`] : []),
    ...(metrics.compareToPrimary?.maxErrorRateIncrease !== undefined ? [`error rate at most ${metrics.compareToPrimary.maxErrorRateIncrease} points above stable`] : []),
    ...(metrics.compareToPrimary?.maxLatencyRatio !== undefined ? [`p99 at most ${metrics.compareToPrimary.maxLatencyRatio}× stable`] : []),
    ...metrics.custom.map((metric) => `${metric.name}${metric.min !== undefined ? ` ≥ ${metric.min}` : ""}${metric.max !== undefined ? ` ≤ ${metric.max}` : ""}`),
  ];
}
