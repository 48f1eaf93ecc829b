// Builders for canary render tests: a canary at step 3 of 4 (25 %) with passing checks, a
// parsed configuration with its defaults; override what the test is about.
import { canarySchema, type CanaryConfig } from "../../src/config/canary-schema.js";
import type { CanaryEvent, CanaryState, CheckRecord, MetricResult } from "../../src/canary/types.js";

/** 2024-05-02T12:10:00Z: "now" in every canary render test. */
export const NOW = Date.parse("2024-05-02T12:10:00Z");

export function aCanaryConfig(overrides: Record<string, unknown> = {}): CanaryConfig {
  return canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "gateway-api", httpRoute: "web" }, ...overrides });
}

export function aSuccessRate(overrides: Partial<MetricResult> = {}): MetricResult {
  return {
    name: "success rate",
    query: 'sum(rate(istio_requests_total{destination_workload="web-canary",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{destination_workload="web-canary"}[1m])) * 100',
    value: 99.7,
    min: 99,
    unit: "%",
    verdict: "pass",
    ...overrides,
  };
}

export function aLatency(overrides: Partial<MetricResult> = {}): MetricResult {
  return {
    name: "latency p99",
    query: 'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{destination_workload="web-canary"}[1m])) by (le))',
    value: 120,
    max: 500,
    unit: "ms",
    verdict: "pass",
    ...overrides,
  };
}

/** A check `minutesAgo` before NOW. */
export function aCheck(minutesAgo: number, overrides: Partial<CheckRecord> = {}): CheckRecord {
  return {
    at: new Date(NOW - minutesAgo * 60_000).toISOString(),
    stepIndex: 2,
    weight: 25,
    requests: 340,
    metrics: [aSuccessRate(), aLatency()],
    verdict: "pass",
    ...overrides,
  };
}

export function anEvent(overrides: Partial<CanaryEvent> = {}): CanaryEvent {
  return { at: new Date(NOW - 30 * 60_000).toISOString(), by: "slipway", via: "controller", what: "Started the canary of revision 5f1c2e9a0b3d.", ...overrides };
}

export function aCanary(overrides: Partial<CanaryState> = {}): CanaryState {
  return {
    version: 1,
    environment: "production",
    namespace: "apps",
    workload: "web",
    repository: "acme/deploy",
    context: "prod",
    config: canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "gateway-api", httpRoute: "web" } }),
    routeBase: [{ backendRefs: [{ name: "web", port: 80 }] }],
    replicas: 2,
    branch: "main",
    commit: "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b",
    pullRequest: 42,
    revision: "5f1c2e9a0b3d7c6e",
    phase: "progressing",
    phaseSince: new Date(NOW - 20 * 60_000).toISOString(),
    stepIndex: 2,
    weight: 25,
    stepSince: new Date(NOW - 1.5 * 60_000).toISOString(),
    failedChecks: 0,
    noDataChecks: 0,
    checks: [aCheck(4, { stepIndex: 0, weight: 5 }), aCheck(3, { stepIndex: 1, weight: 10 }), aCheck(2, { stepIndex: 1, weight: 10 }), aCheck(1.5)],
    message: "Check passed; next step.",
    events: [anEvent()],
    commandsSeen: [],
    ...overrides,
  };
}
