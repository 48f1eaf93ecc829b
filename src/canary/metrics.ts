// One check of a canary: every query sent to Prometheus at once, each answer judged against its
// threshold. A query that fails is an `error` verdict with Prometheus's own words, never a
// thrown exception: the controller stops a canary whose queries are wrong before any traffic
// moves (preflight), and waits out an outage. Too little traffic is `no-data`, never a pass.
import type { CanaryConfig } from "../config/canary-schema.js";
import { promDuration } from "./promql.js";
import { canaryQueries, queryWindowMs, type CanaryQuery, type CanaryTarget } from "./queries.js";
import type { MetricResult } from "./types.js";

export { canaryQueries, queryWindowMs, type CanaryQueries, type CanaryQuery, type CanaryTarget } from "./queries.js";
export { createPrometheusClient, PrometheusError, type PrometheusClientOptions, type PrometheusErrorKind } from "./prometheus.js";

export interface PrometheusClient {
  /** An instant query; the single number it returns, null for an empty vector or NaN; throws PrometheusError with a clear message otherwise. */
  query(promql: string, signal?: AbortSignal): Promise<number | null>;
}

export interface CheckResult {
  /** Requests the canary served in the window; null when none (or when they could not be counted). */
  requests: number | null;
  metrics: MetricResult[];
}

type Answer = { ok: true; value: number | null } | { ok: false; message: string };

/** Why the check cannot judge any metric, whatever its value: too little traffic, or no count of it. */
type Gate = { verdict: "no-data" | "error"; message: string } | undefined;

/** Queries Prometheus for one check. Throws only when `signal` aborts it. */
export async function runCheck(client: PrometheusClient, config: CanaryConfig, target: CanaryTarget, signal?: AbortSignal): Promise<CheckResult> {
  const queries = canaryQueries(config.metrics, target);
  const window = promDuration(queryWindowMs(target));
  const ask = async (promql: string): Promise<Answer> => {
    try {
      return { ok: true, value: await client.query(promql, signal) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };
  const [requests, ...answers] = await Promise.all([
    ask(queries.requests),
    ...queries.metrics.map((metric) => (metric.error === undefined ? ask(metric.query) : Promise.resolve<Answer>({ ok: false, message: metric.error }))),
  ]);
  const gate = trafficGate(requests, config.minRequests, window);
  return {
    requests: requests.ok ? requests.value : null,
    metrics: queries.metrics.map((metric, index) => judge(metric, answers[index]!, gate, { target, window })),
  };
}

function trafficGate(requests: Answer, minRequests: number, window: string): Gate {
  if (!requests.ok) return { verdict: "error", message: `the canary's requests could not be counted: ${requests.message}` };
  if (minRequests === 0 || (requests.value ?? 0) >= minRequests) return undefined;
  // increase() extrapolates to the window's edges (19.6 for 20 requests): show whole requests.
  const served = requests.value === null ? "no requests" : `${Math.floor(requests.value)} requests`;
  return { verdict: "no-data", message: `no traffic: ${served} in ${window}, ${minRequests} needed` };
}

function judge(metric: CanaryQuery, answer: Answer, gate: Gate, context: { target: CanaryTarget; window: string }): MetricResult {
  const result: MetricResult = {
    name: metric.name,
    query: metric.query,
    value: answer.ok ? answer.value : null,
    ...(metric.min === undefined ? {} : { min: metric.min }),
    ...(metric.max === undefined ? {} : { max: metric.max }),
    ...(metric.unit === undefined ? {} : { unit: metric.unit }),
    verdict: "pass",
  };
  if (!answer.ok) return { ...result, verdict: "error", message: answer.message };
  if (gate) return { ...result, ...gate };
  const value = answer.value;
  if (value === null) return { ...result, verdict: "no-data", message: noDataMessage(metric.name, context) };
  const unit = metric.unit ? ` ${metric.unit}` : "";
  if (metric.min !== undefined && value < metric.min) return { ...result, verdict: "fail", message: `${formatValue(value)}${unit} is below the minimum, ${metric.min}${unit}` };
  if (metric.max !== undefined && value > metric.max) return { ...result, verdict: "fail", message: `${formatValue(value)}${unit} is above the maximum, ${metric.max}${unit}` };
  return result;
}

function noDataMessage(name: string, { target, window }: { target: CanaryTarget; window: string }): string {
  if (name === "error-rate-increase" || name === "latency-ratio") {
    return `no data: the stable Deployment ${target.workload} or the canary ${target.canary} served no requests in ${window}, so there is nothing to compare`;
  }
  return `no data: the query returned nothing for ${window} (no series matches its labels, or no requests were served)`;
}

const formatValue = (value: number): string => (Number.isInteger(value) || !Number.isFinite(value) ? String(value) : value.toFixed(2));
