// The Prometheus HTTP API, as canary analysis needs it: one instant query, one number back.
// https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
//
// The address is the server's (its policy, per kube context), and may carry credentials
// (https://user:password@host). fetch refuses URLs with credentials, and messages must never show
// them: they are taken out of the URL at construction and sent as a Basic Authorization header.
import type { PrometheusClient } from "./metrics.js";

/**
 * - unreachable: no HTTP answer (refused, DNS, TLS).
 * - timeout: no answer within timeoutMs.
 * - http: a non-2xx answer; Prometheus's own errorType and error when its body says.
 * - query: a 2xx answer that is not a successful query (`status: "error"`, or not JSON).
 * - result: a successful query whose result is not one number (many series, a range vector).
 */
export type PrometheusErrorKind = "unreachable" | "timeout" | "http" | "query" | "result";

export class PrometheusError extends Error {
  override readonly name = "PrometheusError";
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PrometheusClientOptions {
  /** How long one query may take, Prometheus's evaluation included (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const defaultTimeoutMs = 10_000;

export function createPrometheusClient(baseUrl: string, options: PrometheusClientOptions = {}): PrometheusClient {
  const { endpoint, shown, authorization } = parseAddress(baseUrl);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const send = options.fetch ?? fetch;
  const where = `Prometheus at ${shown}`;

  return {
    async query(promql, signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      // POST: a long query with escaped names is safe from URL length limits.
      // `timeout` in seconds (the API takes a float) stops Prometheus working on an answer no one awaits.
      const body = new URLSearchParams({ query: promql, timeout: String(timeoutMs / 1000) });
      let response: Response;
      let text: string;
      try {
        response = await send(endpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...(authorization ? { authorization } : {}) },
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        text = await response.text();
      } catch (error) {
        // The caller's abort (shutdown, a superseded canary) is not Prometheus's failure.
        if (signal?.aborted) throw signal.reason;
        if (timeout.aborted) throw new PrometheusError("timeout", `${where} did not answer within ${timeoutMs / 1000}s`, { cause: error });
        throw new PrometheusError("unreachable", `${where} could not be reached: ${describeCause(error)}`, { cause: error });
      }
      return readAnswer(where, response, text);
    },
  };
}

/** The query endpoint without credentials, the address as messages show it, and the credentials as a header. */
function parseAddress(baseUrl: string): { endpoint: string; shown: string; authorization?: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError("the Prometheus address is not a URL (it is not shown here: it may hold a password)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`the Prometheus address must be http:// or https://, not ${url.protocol}//`);
  const authorization = url.username || url.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`
    : undefined;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  const base = url.toString().replace(/\/+$/, "");
  return { endpoint: `${base}/api/v1/query`, shown: base, ...(authorization ? { authorization } : {}) };
}

type Answer =
  | { status: "success"; data: { resultType: "vector"; result: Array<{ metric: Record<string, string>; value: [number, string] }> } | { resultType: "scalar"; result: [number, string] } | { resultType: "matrix" | "string"; result: unknown } }
  | { status: "error"; errorType?: string; error?: string };

function readAnswer(where: string, response: Response, text: string): number | null {
  let answer: Answer | undefined;
  try {
    answer = JSON.parse(text) as Answer;
  } catch {
    answer = undefined;
  }
  if (answer?.status === "error") {
    const kind = response.ok ? "query" : "http";
    const status = response.ok ? "" : ` ${response.status}`;
    throw new PrometheusError(kind, `${where} answered${status}${answer.errorType ? ` (${answer.errorType})` : ""}: ${answer.error ?? "an error without a message"}`);
  }
  if (!response.ok) throw new PrometheusError("http", `${where} answered ${response.status} ${response.statusText}: ${excerpt(text)}`);
  if (answer?.status !== "success") throw new PrometheusError("query", `${where} answered what is not a Prometheus API response: ${excerpt(text)}`);
  const data = answer.data;
  switch (data.resultType) {
    case "scalar":
      return sampleValue(data.result[1]);
    case "vector": {
      if (data.result.length === 0) return null;
      if (data.result.length > 1) {
        const series = data.result.slice(0, 3).map((sample) => seriesText(sample.metric)).join(", ");
        throw new PrometheusError("result", `the query returned ${data.result.length} series (${series}${data.result.length > 3 ? ", …" : ""}), not one number: aggregate them, with sum() for example`);
      }
      return sampleValue(data.result[0]!.value[1]);
    }
    case "matrix":
    case "string":
      throw new PrometheusError("result", `the query returned a ${data.resultType === "matrix" ? "range vector" : "string"}, not one number: end it with an aggregation over a range, such as sum(rate(...[{{interval}}]))`);
  }
}

/** A sample's value as the API writes it ("0.5", "+Inf", "NaN"); NaN (0/0: no traffic) is no data. */
function sampleValue(text: string): number | null {
  const value = text === "+Inf" ? Infinity : text === "-Inf" ? -Infinity : Number(text);
  return Number.isNaN(value) ? null : value;
}

const seriesText = (metric: Record<string, string>): string => `{${Object.entries(metric).map(([name, value]) => `${name}="${value}"`).join(",")}}`;

const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat === "" ? "(no body)" : flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
};

/** What undici hides in `cause` (ECONNREFUSED, ENOTFOUND, a certificate error). */
function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return "code" in cause && typeof cause.code === "string" ? `${cause.code} (${cause.message})` : cause.message;
  return String(cause);
}
