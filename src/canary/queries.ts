// The PromQL that judges a canary: the request count that gates a check, the builtin success
// rate and p99 for Istio's or the app's own telemetry, the comparisons with the stable workload,
// and the custom queries with their variables filled in. Pure: names in, strings out.
//
// The builtins follow Flagger's (flagger:pkg/metrics/observers/istio.go, http.go; see
// ../shared/research/progressive-delivery.md §c), with two changes:
// - The non-5xx numerator falls back to `vector(0)`: a canary that answers nothing but 5xx has no
//   non-5xx series at all, and Flagger's query then returns no data instead of 0 %.
// - Exact label matchers for Istio's workload labels, and names escaped, not pasted.
import type { CanaryMetricsConfig } from "../config/canary-schema.js";
import { equals, fillTemplate, matches, promDuration, regexLiteral } from "./promql.js";

export interface CanaryTarget {
  namespace: string;
  /** The stable Deployment, e.g. web. */
  workload: string;
  /** The canary Deployment, e.g. web-canary. */
  canary: string;
  service: string;
  /** The check interval: the queries look back over it (see queryWindowMs). */
  intervalMs: number;
  /** How often the Prometheus scrapes (the policy's contexts.<context>.scrapeInterval; default 30 s). */
  scrapeIntervalMs?: number;
}

export interface CanaryQuery {
  name: string;
  query: string;
  min?: number;
  max?: number;
  unit?: string;
  /** Why the query cannot be sent (an unknown template variable); `query` is then as written. */
  error?: string;
}

export interface CanaryQueries {
  /** Requests the canary served in the window: the gate for minRequests. */
  requests: string;
  metrics: CanaryQuery[];
}

const defaultScrapeIntervalMs = 30_000;

/**
 * The window every query looks back over: the check interval, as Flagger uses it, but at least
 * four scrape intervals. rate() needs two samples of a series inside its window, and a window of
 * four scrapes still holds two when a scrape is late or missed (Prometheus's own advice:
 * https://www.robustperception.io/what-range-should-i-use-with-rate). A 10 s interval against a
 * 30 s scrape would otherwise see no data forever; this way it judges the last 2 minutes.
 */
export function queryWindowMs(target: Pick<CanaryTarget, "intervalMs" | "scrapeIntervalMs">): number {
  return Math.max(target.intervalMs, 4 * (target.scrapeIntervalMs ?? defaultScrapeIntervalMs));
}

/** How one telemetry names requests and their durations, and selects one Deployment's. */
interface Telemetry {
  requests: string;
  /** The label holding the status code. */
  code: string;
  durationBuckets: string;
  /** Multiplies a duration quantile into milliseconds. */
  toMs: number;
  select: (namespace: string, deployment: string) => string;
}

const telemetries: Record<CanaryMetricsConfig["telemetry"], Telemetry> = {
  // The destination proxy's report: what the Deployment's own pods served.
  istio: {
    requests: "istio_requests_total",
    code: "response_code",
    durationBuckets: "istio_request_duration_milliseconds_bucket",
    toMs: 1,
    select: (namespace, deployment) =>
      [equals("reporter", "destination"), equals("destination_workload_namespace", namespace), equals("destination_workload", deployment)].join(","),
  },
  // Pods of a Deployment are named <deployment>-<pod-template-hash>-<suffix>; both parts are
  // dash-free, so web's pattern never matches web-canary's pods (Flagger: observers/http.go).
  app: {
    requests: "http_requests_total",
    code: "code",
    durationBuckets: "http_request_duration_seconds_bucket",
    toMs: 1000,
    select: (namespace, deployment) => [equals("namespace", namespace), matches("pod", `${regexLiteral(deployment)}-[a-z0-9]+-[a-z0-9]+`)].join(","),
  },
};

export function canaryQueries(metrics: CanaryMetricsConfig, target: CanaryTarget): CanaryQueries {
  const telemetry = telemetries[metrics.telemetry];
  const window = promDuration(queryWindowMs(target));
  const canary = telemetry.select(target.namespace, target.canary);
  const stable = telemetry.select(target.namespace, target.workload);
  const successRate = (selector: string) =>
    `(sum(rate(${telemetry.requests}{${selector},${telemetry.code}!~"5.."}[${window}])) or vector(0))` +
    ` / sum(rate(${telemetry.requests}{${selector}}[${window}])) * 100`;
  const p99 = (selector: string) =>
    `histogram_quantile(0.99, sum by (le) (rate(${telemetry.durationBuckets}{${selector}}[${window}])))${telemetry.toMs === 1 ? "" : ` * ${telemetry.toMs}`}`;

  const queries: CanaryQuery[] = [];
  if (metrics.successRate) queries.push({ name: "success-rate", query: successRate(canary), min: metrics.successRate.min, unit: "%" });
  if (metrics.latencyP99) queries.push({ name: "latency-p99", query: p99(canary), max: metrics.latencyP99.max, unit: "ms" });
  const compare = metrics.compareToPrimary;
  // Either side empty (the stable served nothing) makes the whole expression empty: no data.
  if (compare?.maxErrorRateIncrease !== undefined) {
    queries.push({ name: "error-rate-increase", query: `(100 - ${successRate(canary)}) - (100 - ${successRate(stable)})`, max: compare.maxErrorRateIncrease, unit: "pp" });
  }
  if (compare?.maxLatencyRatio !== undefined) queries.push({ name: "latency-ratio", query: `(${p99(canary)}) / (${p99(stable)})`, max: compare.maxLatencyRatio });

  const values = { namespace: target.namespace, workload: target.workload, primary: target.workload, canary: target.canary, service: target.service, interval: window };
  for (const custom of metrics.custom) {
    const filled = fillTemplate(custom.query, values);
    const thresholds = { ...(custom.min === undefined ? {} : { min: custom.min }), ...(custom.max === undefined ? {} : { max: custom.max }), ...(custom.unit ? { unit: custom.unit } : {}) };
    queries.push(filled.ok ? { name: custom.name, query: filled.query, ...thresholds } : { name: custom.name, query: custom.query, ...thresholds, error: filled.message });
  }
  return { requests: `sum(increase(${telemetry.requests}{${canary}}[${window}]))`, metrics: queries };
}
