// runCheck against a real Prometheus scraping real backends every second, whose error rate and
// latency each test sets: the verdicts a canary gets for real traffic, Istio's and the app's
// telemetry, comparisons with the stable Deployment, custom queries, and what a broken query or
// a Prometheus that is down looks like. Windows are 4 s (a 2 s interval, widened to four scrapes).
//
// No Kubernetes object is involved; it runs with the cluster's tests because the Prometheus
// binary comes with the same integration assets (the global setup says why they are missing).
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { canarySchema, type CanaryConfig } from "../../src/config/canary-schema.js";
import { createPrometheusClient, runCheck, type CanaryTarget, type CheckResult, type PrometheusClient } from "../../src/canary/metrics.js";
import type { MetricResult, Verdict } from "../../src/canary/types.js";
import { ensureCanaryAssets } from "../cluster/canary-assets.js";
import { freePort, waitFor } from "../cluster/process.js";
import { describeWithCluster } from "../support/cluster.js";
import { startBackend, type Backend, type BackendOptions } from "./harness/backend.js";
import { startPrometheus, type PrometheusServer } from "./harness/prometheus.js";
import { startTraffic } from "./harness/traffic.js";

/**
 * Requests the canary serves in a window once traffic has filled it: 40 a second for 4 s is 160.
 * Values read earlier come from series born inside the window, whose rate() Prometheus does not
 * extrapolate back to the window's start (and a 500 series is born a scrape after the 200 one):
 * right as a verdict, not yet as a number to compare. Tests that compare numbers wait a window.
 */
const fullWindow = 120;
const oneWindow = () => new Promise((resolve) => setTimeout(resolve, 5_000));

const config = (written: Record<string, unknown> = {}): CanaryConfig =>
  canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "istio", virtualService: "web" }, interval: "2s", minRequests: 20, ...written });

describeWithCluster("canary metrics from a real Prometheus", () => {
  let prometheus: PrometheusServer;
  let client: PrometheusClient;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const assets = await ensureCanaryAssets({ log: (line) => process.stderr.write(`[canary-metrics] ${line}\n`) });
    prometheus = await startPrometheus({ binary: assets.prometheus, scrapeIntervalSeconds: 1 });
    client = createPrometheusClient(prometheus.url, { timeoutMs: 5_000 });
  }, 20 * 60_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  /** Stable `web` and canary `web-canary` in a namespace of their own, scraped with pod names as a ReplicaSet gives them. */
  async function workloads(options: { stable?: Partial<BackendOptions>; canary?: Partial<BackendOptions> } = {}) {
    const namespace = `m-${randomBytes(4).toString("hex")}`;
    const start = async (workload: string, extra: Partial<BackendOptions> = {}) => {
      const backend = await startBackend({ workload, namespace, ...extra });
      cleanups.push(() => backend.stop());
      return backend;
    };
    const stable = await start("web", options.stable);
    const canary = await start("web-canary", options.canary);
    // The next test's targets replace these: a change of targets can wait seconds in Prometheus's
    // discovery backoff, so there is no change back to none in between.
    await prometheus.setTargets([stable, canary].map((b) => ({ address: b.address, labels: { namespace, pod: `${b.workload}-6d4f8b7c9-x2x7q` } })));
    const target: CanaryTarget = { namespace, workload: "web", canary: "web-canary", service: "web", intervalMs: 2_000, scrapeIntervalMs: 1_000 };
    return { namespace, stable, canary, target };
  }

  function traffic(...backends: Backend[]) {
    const started = startTraffic({ targets: backends, rate: 40 });
    cleanups.push(() => started.stop());
    return started;
  }

  /**
   * Runs checks until every metric has its expected verdict (what a controller sees after a few
   * intervals), and the canary has served `requests` in the window (the gate alone: 20).
   */
  async function checkUntil(canaryConfig: CanaryConfig, target: CanaryTarget, expected: Record<string, Verdict>, requests = 0): Promise<CheckResult> {
    let last: CheckResult | undefined;
    return waitFor({
      what: `verdicts ${JSON.stringify(expected)}`,
      timeoutMs: 20_000,
      intervalMs: 500,
      detail: () => `last check: ${JSON.stringify(last, null, 1)}`,
      probe: async () => {
        last = await runCheck(client, canaryConfig, target);
        const verdicts = Object.fromEntries(last.metrics.map((metric) => [metric.name, metric.verdict]));
        return JSON.stringify(verdicts) === JSON.stringify(expected) && (last.requests ?? 0) >= requests ? last : undefined;
      },
    });
  }

  const metric = (result: CheckResult, name: string): MetricResult => {
    const found = result.metrics.find((m) => m.name === name);
    if (!found) throw new Error(`no metric ${name} in ${JSON.stringify(result)}`);
    return found;
  };

  it("passes a canary that answers every request quickly, once it has served enough of them", async () => {
    const { canary, target } = await workloads();
    traffic(canary);
    const first = await checkUntil(config(), target, { "success-rate": "pass", "latency-p99": "pass" });
    expect(first.requests).toBeGreaterThanOrEqual(20);
    // Once traffic has filled the window: 40 requests a second over 4 s, give or take increase()'s extrapolation.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const result = await runCheck(client, config(), target);
    expect(result.requests).toBeGreaterThan(110);
    expect(result.requests).toBeLessThan(220);
    expect(result.metrics.map((m) => m.verdict)).toEqual(["pass", "pass"]);
    expect(metric(result, "success-rate")).toMatchObject({ value: 100, min: 99, unit: "%", query: expect.stringContaining("[4s]") });
    expect(metric(result, "latency-p99").value).toBeLessThan(25);
  });

  it("fails a canary that answers 20 % of requests with 500, and one that answers nothing else", async () => {
    const { canary, target } = await workloads({ canary: { errorRate: 0.2 } });
    traffic(canary);
    await oneWindow();
    const result = await checkUntil(config(), target, { "success-rate": "fail", "latency-p99": "pass" }, fullWindow);
    expect(metric(result, "success-rate").value).toBeGreaterThan(77);
    expect(metric(result, "success-rate").value).toBeLessThan(83);
    expect(metric(result, "success-rate").message).toMatch(/^\d+(\.\d+)? % is below the minimum, 99 %$/);

    // Flagger's query has no non-5xx series to divide here and says "no values"; this one says 0 %.
    const broken = await workloads({ canary: { errorRate: 1 } });
    traffic(broken.canary);
    const all = await checkUntil(config(), broken.target, { "success-rate": "fail", "latency-p99": "pass" });
    expect(metric(all, "success-rate").value).toBe(0);
  });

  it("fails a canary whose p99 is above the maximum, in ms for either telemetry", async () => {
    const { canary, target } = await workloads({ canary: { latency: 150 } });
    traffic(canary);
    const istio = await checkUntil(config({ metrics: { latencyP99: { max: 100 } } }), target, { "success-rate": "pass", "latency-p99": "fail" });
    // Istio's buckets put 150 ms in (100, 250]; the 99th percentile is interpolated in it.
    expect(metric(istio, "latency-p99").value).toBeGreaterThan(100);
    expect(metric(istio, "latency-p99").value).toBeLessThanOrEqual(250);
    expect(metric(istio, "latency-p99").message).toMatch(/ ms is above the maximum, 100 ms$/);
    const app = await checkUntil(config({ metrics: { telemetry: "app", latencyP99: { max: 100 } } }), target, { "success-rate": "pass", "latency-p99": "fail" });
    expect(metric(app, "latency-p99").value).toBeGreaterThan(100);
    expect(metric(app, "latency-p99").value).toBeLessThanOrEqual(250);
  });

  it("judges from the app's own metrics: non-5xx share by the pods' code label", async () => {
    const { stable, canary, target } = await workloads({ canary: { errorRate: 0.1 } });
    traffic(stable, canary);
    await oneWindow();
    const result = await checkUntil(config({ metrics: { telemetry: "app" } }), target, { "success-rate": "fail", "latency-p99": "pass" }, fullWindow);
    expect(metric(result, "success-rate").value).toBeGreaterThan(87);
    expect(metric(result, "success-rate").value).toBeLessThan(93);
    expect(metric(result, "success-rate").query).toContain('pod=~"web-canary-[a-z0-9]+-[a-z0-9]+"');
    // The stable's 100 % does not leak in: web's pod pattern does not match web-canary's pods.
    expect(result.requests).toBeLessThan(220);
  });

  it("says no data, never pass, without traffic: none at all, or only to the stable", async () => {
    const { stable, target } = await workloads();
    // Two scrapes of backends that have served nothing: they export no request series yet.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idle = await runCheck(client, config(), target);
    expect(idle.requests).toBeNull();
    expect(idle.metrics.map((m) => [m.verdict, m.message])).toEqual([
      ["no-data", "no traffic: no requests in 4s, 20 needed"],
      ["no-data", "no traffic: no requests in 4s, 20 needed"],
    ]);
    traffic(stable);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await runCheck(client, config(), target)).metrics.map((m) => m.verdict)).toEqual(["no-data", "no-data"]);
  });

  it("compares with the stable Deployment: more errors and a slower p99 fail, no stable traffic is no data", async () => {
    const { stable, canary, target } = await workloads({ stable: { latency: 10 }, canary: { errorRate: 0.1, latency: 150 } });
    const compared = config({ metrics: { successRate: null, latencyP99: null, compareToPrimary: { maxErrorRateIncrease: 5, maxLatencyRatio: 3 } } });
    const load = traffic(canary);
    const alone = await checkUntil(compared, target, { "error-rate-increase": "no-data", "latency-ratio": "no-data" }, 20);
    expect(metric(alone, "latency-ratio").message).toBe("no data: the stable Deployment web or the canary web-canary served no requests in 4s, so there is nothing to compare");
    expect(alone.requests).toBeGreaterThan(20);

    await load.stop();
    traffic(stable, canary);
    // A window of traffic to both, so neither side's series is younger than it.
    await oneWindow();
    const worse = await checkUntil(compared, target, { "error-rate-increase": "fail", "latency-ratio": "fail" }, fullWindow);
    expect(metric(worse, "error-rate-increase")).toMatchObject({ unit: "pp", max: 5 });
    expect(metric(worse, "error-rate-increase").value).toBeGreaterThan(7);
    expect(metric(worse, "error-rate-increase").value).toBeLessThan(13);
    // About ten times slower: (100, 250] ms against (10, 25] ms, or (25, 50] ms when a busy machine delays the stable's timers.
    expect(metric(worse, "latency-ratio")).toMatchObject({ max: 3, message: expect.stringMatching(/^\d+(\.\d+)? is above the maximum, 3$/) });

    canary.setErrorRate(0);
    canary.setLatency(10);
    const same = await checkUntil(compared, target, { "error-rate-increase": "pass", "latency-ratio": "pass" }, fullWindow);
    expect(metric(same, "error-rate-increase").value).toBe(0);
    expect(metric(same, "latency-ratio").value).toBeCloseTo(1, 0);
  });

  it("runs custom queries with their variables filled in, and says what is wrong with a broken one", async () => {
    const { canary, target } = await workloads();
    traffic(canary);
    const custom = config({
      metrics: {
        successRate: null,
        latencyP99: null,
        custom: [
          { name: "ok-per-second", query: 'sum(rate(http_requests_total{namespace="{{ namespace }}",pod=~"{{canary}}-.*",code="200"}[{{interval}}]))', min: 20, unit: "req/s" },
          { name: "per-pod", query: 'up{namespace="{{namespace}}"}', max: 1 },
          { name: "broken", query: "sum(rate(http_requests_total[{{interval}}])", max: 1 },
        ],
      },
    });
    custom.metrics.custom.push({ name: "typo", query: "vector({{target}})", max: 1 });
    const result = await checkUntil(custom, target, { "ok-per-second": "pass", "per-pod": "error", broken: "error", typo: "error" }, fullWindow);
    expect(metric(result, "ok-per-second").value).toBeGreaterThan(30);
    expect(metric(result, "ok-per-second").value).toBeLessThan(50);
    expect(metric(result, "ok-per-second")).toMatchObject({ unit: "req/s", query: `sum(rate(http_requests_total{namespace="${target.namespace}",pod=~"web-canary-.*",code="200"}[4s]))` });
    expect(metric(result, "per-pod").message).toMatch(/^the query returned 2 series \(\{__name__="up",.*pod="web(-canary)?-6d4f8b7c9-x2x7q"\}, \{.*\}\), not one number: aggregate them, with sum\(\) for example$/);
    expect(metric(result, "broken").message).toMatch(new RegExp(`^Prometheus at ${prometheus.url} answered 400 \\(bad_data\\): .*parse error`));
    expect(metric(result, "typo").message).toMatch(/^unknown template variable \{\{target\}\} in the query/);
  });

  it("makes every metric an error, without the password, when Prometheus is down", async () => {
    const { target } = await workloads();
    const port = await freePort();
    const down = createPrometheusClient(`http://slipway:hunter2@127.0.0.1:${port}`, { timeoutMs: 2_000 });
    const result = await runCheck(down, config(), target);
    expect(result.requests).toBeNull();
    for (const m of result.metrics) {
      expect(m.verdict).toBe("error");
      // The metric's own query failed first, so its message is its own.
      expect(m.message).toBe(`Prometheus at http://127.0.0.1:${port} could not be reached: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`);
    }
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});
