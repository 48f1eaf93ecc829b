import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics.js";

describe("the metrics", () => {
  it("count plans, applies, requests, waits and Leases, and read the queue when scraped", async () => {
    const { registry, observer } = createMetrics({ queueStats: (pool) => ({ waiting: pool === "apply" ? 3 : 0, running: 1, lastWaitMs: 0 }) });
    observer.plan("success", 1500);
    observer.apply("failed", 4000);
    observer.kubeRequest("PATCH", 409);
    observer.githubRequest("POST", 201);
    observer.jobStarted("plan", 250);
    observer.leaseRenewFailed();
    observer.leaseHeld(1);
    const text = await registry.metrics();
    expect(text).toContain('slipway_plan_duration_seconds_count{conclusion="success"} 1');
    expect(text).toContain('slipway_apply_duration_seconds_bucket{le="5",outcome="failed"} 1');
    expect(text).toContain('slipway_kube_requests_total{method="PATCH",code="409"} 1');
    expect(text).toContain('slipway_github_requests_total{method="POST",code="201"} 1');
    expect(text).toContain('slipway_queue_wait_seconds_count{pool="plan"} 1');
    expect(text).toContain('slipway_queue_jobs{pool="apply",state="waiting"} 3');
    expect(text).toContain("slipway_lease_renew_failures_total 1");
    expect(text).toContain("slipway_leases_held 1");
    expect(text).toContain("slipway_process_nodejs_eventloop_lag_seconds");
  });
});
