// runCheck with a fake Prometheus: how answers become verdicts, and how the request count gates
// them. The same verdicts from a real Prometheus and real traffic are in metrics.int.test.ts.
import { describe, expect, it } from "vitest";
import { canarySchema, type CanaryConfig } from "../../src/config/canary-schema.js";
import { canaryQueries, PrometheusError, runCheck, type CanaryTarget, type PrometheusClient } from "../../src/canary/metrics.js";

const target: CanaryTarget = { namespace: "apps", workload: "web", canary: "web-canary", service: "web", intervalMs: 60_000, scrapeIntervalMs: 15_000 };

const config = (written: Record<string, unknown> = {}): CanaryConfig =>
  canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "istio", virtualService: "web" }, minRequests: 20, ...written });

/** Answers each query by the first entry whose key the query starts with; the request count by "requests". */
function fakeClient(config: CanaryConfig, answers: Record<string, number | null | Error>): PrometheusClient & { asked: string[] } {
  const queries = canaryQueries(config.metrics, target);
  const names = new Map<string, string>([[queries.requests, "requests"], ...queries.metrics.map((metric) => [metric.query, metric.name] as [string, string])]);
  const asked: string[] = [];
  return {
    asked,
    query: (promql) => {
      const name = names.get(promql) ?? "?";
      asked.push(name);
      const answer = answers[name];
      if (answer === undefined) return Promise.reject(new Error(`unexpected query ${promql}`));
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

const verdicts = (result: Awaited<ReturnType<typeof runCheck>>) => Object.fromEntries(result.metrics.map((metric) => [metric.name, [metric.verdict, metric.value, metric.message]]));

describe("runCheck", () => {
  it("passes values within their thresholds and fails those outside, saying by how much", async () => {
    const c = config();
    const healthy = await runCheck(fakeClient(c, { requests: 120.4, "success-rate": 99.5, "latency-p99": 120 }), c, target);
    expect(healthy.requests).toBe(120.4);
    expect(verdicts(healthy)).toEqual({ "success-rate": ["pass", 99.5, undefined], "latency-p99": ["pass", 120, undefined] });
    expect(healthy.metrics[0]).toMatchObject({ min: 99, unit: "%", query: expect.stringContaining("istio_requests_total") });

    const sick = await runCheck(fakeClient(c, { requests: 120, "success-rate": 80.123, "latency-p99": 750 }), c, target);
    expect(verdicts(sick)).toEqual({
      "success-rate": ["fail", 80.123, "80.12 % is below the minimum, 99 %"],
      "latency-p99": ["fail", 750, "750 ms is above the maximum, 500 ms"],
    });
  });

  it("judges nothing without enough traffic: no-data, with the count and what is needed, values kept", async () => {
    const c = config();
    const few = await runCheck(fakeClient(c, { requests: 19.6, "success-rate": 100, "latency-p99": 12 }), c, target);
    expect(verdicts(few)).toEqual({
      "success-rate": ["no-data", 100, "no traffic: 19 requests in 1m, 20 needed"],
      "latency-p99": ["no-data", 12, "no traffic: 19 requests in 1m, 20 needed"],
    });
    const none = await runCheck(fakeClient(c, { requests: null, "success-rate": null, "latency-p99": null }), c, target);
    expect(none.requests).toBeNull();
    expect(none.metrics.map((metric) => metric.message)).toEqual(["no traffic: no requests in 1m, 20 needed", "no traffic: no requests in 1m, 20 needed"]);
  });

  it("keeps an error an error, even without traffic: a wrong query stops a canary at preflight", async () => {
    const c = config({ metrics: { custom: [{ name: "broken", query: "sum(", max: 1 }] } });
    const result = await runCheck(fakeClient(c, { requests: null, "success-rate": null, "latency-p99": null, broken: new PrometheusError("http", "Prometheus at http://p answered 400 (bad_data): parse error") }), c, target);
    expect(verdicts(result).broken).toEqual(["error", null, "Prometheus at http://p answered 400 (bad_data): parse error"]);
  });

  it("reports an unknown template variable as an error without sending the query", async () => {
    const c = config();
    c.metrics.custom.push({ name: "typo", query: "sum(x{w=\"{{target}}\"})", min: 1 });
    const client = fakeClient(c, { requests: 100, "success-rate": 100, "latency-p99": 1 });
    const result = await runCheck(client, c, target);
    expect(verdicts(result).typo?.[0]).toBe("error");
    expect(verdicts(result).typo?.[2]).toMatch(/^unknown template variable \{\{target\}\} in the query; known: \{\{namespace\}\}/);
    expect(client.asked).not.toContain("typo");
  });

  it("says no data, not pass, when a metric or the stable Deployment has none", async () => {
    const c = config({ metrics: { compareToPrimary: { maxErrorRateIncrease: 1, maxLatencyRatio: 1.5 } } });
    const result = await runCheck(fakeClient(c, { requests: 100, "success-rate": 100, "latency-p99": null, "error-rate-increase": null, "latency-ratio": 1.2 }), c, target);
    expect(verdicts(result)).toEqual({
      "success-rate": ["pass", 100, undefined],
      "latency-p99": ["no-data", null, "no data: the query returned nothing for 1m (no series matches its labels, or no requests were served)"],
      "error-rate-increase": ["no-data", null, "no data: the stable Deployment web or the canary web-canary served no requests in 1m, so there is nothing to compare"],
      "latency-ratio": ["pass", 1.2, undefined],
    });
  });

  it("makes every metric an error when the requests cannot be counted", async () => {
    const c = config();
    const down = new PrometheusError("unreachable", "Prometheus at http://p could not be reached: ECONNREFUSED");
    const result = await runCheck(fakeClient(c, { requests: down, "success-rate": 100, "latency-p99": 10 }), c, target);
    expect(result.requests).toBeNull();
    expect(result.metrics.map((metric) => [metric.verdict, metric.message])).toEqual([
      ["error", "the canary's requests could not be counted: Prometheus at http://p could not be reached: ECONNREFUSED"],
      ["error", "the canary's requests could not be counted: Prometheus at http://p could not be reached: ECONNREFUSED"],
    ]);
  });

  it("needs no traffic with minRequests: 0", async () => {
    const c = config({ minRequests: 0 });
    const result = await runCheck(fakeClient(c, { requests: null, "success-rate": 100, "latency-p99": 10 }), c, target);
    expect(result.metrics.map((metric) => metric.verdict)).toEqual(["pass", "pass"]);
  });

  it("throws the caller's abort instead of judging", async () => {
    const c = config();
    const controller = new AbortController();
    const client: PrometheusClient = { query: (_q, signal) => new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))) };
    const check = runCheck(client, c, target, controller.signal);
    controller.abort(new Error("server stopping"));
    await expect(check).rejects.toThrow("server stopping");
  });
});
