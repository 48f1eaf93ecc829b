// A local HTTP server standing for the pods of one workload (the stable `web` or the canary
// `web-canary`), whose error rate and latency a test changes while traffic flows. It serves
// /metrics as its Istio sidecar and its own instrumentation would:
// - Istio's standard metrics as the destination proxy reports them, with Istio's default
//   latency buckets (https://istio.io/latest/docs/reference/config/metrics/);
// - app metrics http_requests_total{code} and http_request_duration_seconds, with the
//   client libraries' default buckets. Pod and namespace come from the scrape target's labels.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Histogram, textFormatContentType, type Labels } from "./exposition.js";

export const istioDurationBucketsMs = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const defaultDurationBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A fixed delay in ms, or one drawn per request. */
export type Latency = number | (() => number);

export interface BackendOptions {
  /** The Deployment's name: Istio's destination_workload. */
  workload: string;
  namespace: string;
  /** The Service in front of it (default: the workload's name). */
  service?: string;
  /** The share of requests answered 500, 0 to 1 (default 0). */
  errorRate?: number;
  latency?: Latency;
}

export interface Backend {
  readonly workload: string;
  readonly namespace: string;
  readonly service: string;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, as a scrape target. */
  readonly address: string;
  setErrorRate(rate: number): void;
  setLatency(latency: Latency): void;
  /** Requests answered so far (not counting /metrics), by status code. */
  answered(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const service = options.service ?? options.workload;
  let errorRate = checkedErrorRate(options.errorRate ?? 0);
  let latency: Latency = options.latency ?? 0;
  let requests = 0;
  const answered: Record<string, number> = {};
  const delayed = new Set<NodeJS.Timeout>();

  const istioRequests = new Counter("istio_requests_total", "Total requests.");
  const istioDuration = new Histogram("istio_request_duration_milliseconds", "Request duration.", istioDurationBucketsMs);
  const appRequests = new Counter("http_requests_total", "Requests served, by status code.");
  const appDuration = new Histogram("http_request_duration_seconds", "Time to serve a request.", defaultDurationBucketsSeconds);
  const istioLabels = (code: number): Labels => ({
    reporter: "destination",
    source_workload: "unknown",
    source_workload_namespace: "unknown",
    source_canonical_service: "unknown",
    destination_workload: options.workload,
    destination_workload_namespace: options.namespace,
    destination_canonical_service: options.workload,
    destination_canonical_revision: "latest",
    destination_app: options.workload,
    destination_version: "unknown",
    destination_service: `${service}.${options.namespace}.svc.cluster.local`,
    destination_service_name: service,
    destination_service_namespace: options.namespace,
    destination_cluster: "Kubernetes",
    request_protocol: "http",
    response_code: String(code),
    response_flags: "-",
    connection_security_policy: "none",
  });

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": textFormatContentType });
      res.end(istioRequests.write() + istioDuration.write() + appRequests.write() + appDuration.write());
      return;
    }
    const started = performance.now();
    // Errors are spread evenly rather than drawn at random: the n-th request fails when
    // floor(n × rate) steps up, so every window of traffic shows the configured rate.
    const n = requests++;
    const code = Math.floor((n + 1) * errorRate) > Math.floor(n * errorRate) ? 500 : 200;
    const delay = Math.max(0, typeof latency === "number" ? latency : latency());
    const respond = () => {
      if (res.destroyed) return;
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(code === 200 ? "ok\n" : "injected error\n");
      const elapsedMs = performance.now() - started;
      answered[code] = (answered[code] ?? 0) + 1;
      istioRequests.inc(istioLabels(code));
      istioDuration.observe(istioLabels(code), elapsedMs);
      appRequests.inc({ code: String(code) });
      appDuration.observe({}, elapsedMs / 1000);
    };
    if (delay === 0) {
      respond();
      return;
    }
    const timer = setTimeout(() => {
      delayed.delete(timer);
      respond();
    }, delay);
    delayed.add(timer);
  };

  const server = createServer(serve);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    workload: options.workload,
    namespace: options.namespace,
    service,
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    setErrorRate: (rate) => (errorRate = checkedErrorRate(rate)),
    setLatency: (next) => (latency = next),
    answered: () => ({ ...answered }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function checkedErrorRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`an error rate is between 0 and 1, not ${rate}`);
  return rate;
}
