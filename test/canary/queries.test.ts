// The PromQL a canary is judged by, as exact strings: what a user copies into Prometheus from a
// check run must be what the builtins are documented to send.
import { describe, expect, it } from "vitest";
import { canarySchema, type CanaryMetricsConfig } from "../../src/config/canary-schema.js";
import { canaryQueries, queryWindowMs, type CanaryTarget } from "../../src/canary/metrics.js";
import { fillTemplate, promDuration, regexLiteral, stringContent } from "../../src/canary/promql.js";

const target: CanaryTarget = { namespace: "apps", workload: "web", canary: "web-canary", service: "web", intervalMs: 60_000, scrapeIntervalMs: 15_000 };

/** The metrics part of a canary entry, defaults filled in by the schema. */
const metrics = (written: Record<string, unknown> = {}): CanaryMetricsConfig =>
  canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "istio", virtualService: "web" }, metrics: written }).metrics;

const istioCanary = 'reporter="destination",destination_workload_namespace="apps",destination_workload="web-canary"';
const istioStable = 'reporter="destination",destination_workload_namespace="apps",destination_workload="web"';
const appCanary = 'namespace="apps",pod=~"web-canary-[a-z0-9]+-[a-z0-9]+"';

describe("canaryQueries", () => {
  it("builds Istio's request count, success rate and p99 for the canary Deployment by default", () => {
    const queries = canaryQueries(metrics(), target);
    expect(queries.requests).toBe(`sum(increase(istio_requests_total{${istioCanary}}[1m]))`);
    expect(queries.metrics).toEqual([
      {
        name: "success-rate",
        query: `(sum(rate(istio_requests_total{${istioCanary},response_code!~"5.."}[1m])) or vector(0)) / sum(rate(istio_requests_total{${istioCanary}}[1m])) * 100`,
        min: 99,
        unit: "%",
      },
      { name: "latency-p99", query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${istioCanary}}[1m])))`, max: 500, unit: "ms" },
    ]);
  });

  it("builds the app's from its pods, by namespace and the Deployment's pod names, p99 in milliseconds", () => {
    const queries = canaryQueries(metrics({ telemetry: "app", successRate: { min: 95 }, latencyP99: { max: 250 } }), target);
    expect(queries.requests).toBe(`sum(increase(http_requests_total{${appCanary}}[1m]))`);
    expect(queries.metrics.map((metric) => metric.query)).toEqual([
      `(sum(rate(http_requests_total{${appCanary},code!~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{${appCanary}}[1m])) * 100`,
      `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${appCanary}}[1m]))) * 1000`,
    ]);
  });

  it("leaves out a builtin set to null", () => {
    expect(canaryQueries(metrics({ successRate: null, latencyP99: null }), target).metrics).toEqual([]);
  });

  it("compares with the stable Deployment: error rates in percentage points, p99s as a ratio", () => {
    const queries = canaryQueries(metrics({ successRate: null, latencyP99: null, compareToPrimary: { maxErrorRateIncrease: 1, maxLatencyRatio: 1.5 } }), target);
    const success = (selector: string) =>
      `(sum(rate(istio_requests_total{${selector},response_code!~"5.."}[1m])) or vector(0)) / sum(rate(istio_requests_total{${selector}}[1m])) * 100`;
    const p99 = (selector: string) => `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${selector}}[1m])))`;
    expect(queries.metrics).toEqual([
      { name: "error-rate-increase", query: `(100 - ${success(istioCanary)}) - (100 - ${success(istioStable)})`, max: 1, unit: "pp" },
      { name: "latency-ratio", query: `(${p99(istioCanary)}) / (${p99(istioStable)})`, max: 1.5 },
    ]);
    // The app's p99s are multiplied into ms on each side, inside the parentheses.
    const app = canaryQueries(metrics({ telemetry: "app", successRate: null, latencyP99: null, compareToPrimary: { maxLatencyRatio: 2 } }), target);
    expect(app.metrics[0]?.query).toMatch(/^\(histogram_quantile\(.*\) \* 1000\) \/ \(histogram_quantile\(.*pod=~"web-\[a-z0-9\]\+-\[a-z0-9\]\+".*\) \* 1000\)$/);
  });

  it("fills a custom query's variables, in either spacing; {{primary}} is the stable Deployment and {{interval}} the window", () => {
    const custom = { name: "p", query: 'x{ns="{{namespace}}",w="{{ workload }}",p="{{primary}}",c="{{canary}}",s="{{service}}"}[{{interval}}]', max: 1, unit: "req/s" };
    const [query] = canaryQueries(metrics({ successRate: null, latencyP99: null, custom: [custom] }), { ...target, service: "web-svc" }).metrics;
    expect(query).toEqual({ name: "p", query: 'x{ns="apps",w="web",p="web",c="web-canary",s="web-svc"}[1m]', max: 1, unit: "req/s" });
  });

  it("reports an unknown variable as the metric's error, the query left as written", () => {
    // As a configuration that did not come through the schema would have it.
    const config = { ...metrics({ successRate: null, latencyP99: null }), custom: [{ name: "bad", query: "sum(x{job=\"{{target}}\"})", min: 1 }] };
    expect(canaryQueries(config, target).metrics).toEqual([
      { name: "bad", query: 'sum(x{job="{{target}}"})', min: 1, error: "unknown template variable {{target}} in the query; known: {{namespace}}, {{workload}}, {{canary}}, {{primary}}, {{service}}, {{interval}}" },
    ]);
  });

  it("escapes names: a quote cannot end the label value, and a dot matches only a dot", () => {
    const hostile: CanaryTarget = { ...target, namespace: 'apps"} or vector(100) #', canary: "web.v2" };
    const istio = canaryQueries(metrics(), hostile);
    expect(istio.requests).toBe('sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="apps\\"} or vector(100) #",destination_workload="web.v2"}[1m]))');
    const app = canaryQueries(metrics({ telemetry: "app" }), hostile);
    expect(app.requests).toBe('sum(increase(http_requests_total{namespace="apps\\"} or vector(100) #",pod=~"web\\\\.v2-[a-z0-9]+-[a-z0-9]+"}[1m]))');
    const custom = canaryQueries(metrics({ custom: [{ name: "c", query: 'x{namespace="{{namespace}}"}', min: 0 }] }), hostile);
    expect(custom.metrics.at(-1)?.query).toBe('x{namespace="apps\\"} or vector(100) #"}');
  });
});

describe("the query window", () => {
  it.each([
    { interval: 60_000, scrape: 15_000, window: "1m", why: "the interval, as Flagger" },
    { interval: 10_000, scrape: 30_000, window: "2m", why: "at least four scrapes" },
    { interval: 10_000, scrape: undefined, window: "2m", why: "a 30 s scrape by default" },
    { interval: 2_000, scrape: 1_000, window: "4s", why: "seconds in tests" },
    { interval: 90_000, scrape: 15_000, window: "90s", why: "whole seconds" },
    { interval: 1_500, scrape: 250, window: "1500ms", why: "milliseconds" },
  ])("is $window for an interval of $interval ms and a scrape of $scrape ms: $why", ({ interval, scrape, window }) => {
    expect(promDuration(queryWindowMs({ intervalMs: interval, ...(scrape === undefined ? {} : { scrapeIntervalMs: scrape }) }))).toBe(window);
  });
});

describe("PromQL literals", () => {
  it("escapes string content and regex metacharacters", () => {
    expect(stringContent('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(regexLiteral("a.b*c(d)[e]{f}|g^h$i+j?k\\l")).toBe("a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\+j\\?k\\\\l");
  });

  it("fills templates with escaped values", () => {
    expect(fillTemplate('{a="{{namespace}}"}', { namespace: 'x"y', workload: "", canary: "", primary: "", service: "", interval: "1m" })).toEqual({ ok: true, query: '{a="x\\"y"}' });
  });
});
