// /metrics in Prometheus's format (prom-client): plans and applies by result and duration, queue
// depth and wait per pool, Lease renew failures and Leases held, Kubernetes and GitHub requests by
// code, and Node's own metrics (event-loop lag among them). One registry per server, not the
// library's global one, so tests can make their own.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PoolName, PoolStats } from "../jobs/queue.js";
import type { Observer } from "./observer.js";

export interface Metrics {
  registry: Registry;
  observer: Observer;
}

/** Seconds: plans take a second or two, applies up to their readiness timeout. */
const durationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export function createMetrics(params: { queueStats?: (pool: PoolName) => PoolStats } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "slipway_process_" });
  const plans = new Histogram({ name: "slipway_plan_duration_seconds", help: "Environment plans by conclusion, and how long they took.", labelNames: ["conclusion"], buckets: durationBuckets, registers: [registry] });
  const applies = new Histogram({ name: "slipway_apply_duration_seconds", help: "Environment applies by outcome, and how long they took.", labelNames: ["outcome"], buckets: durationBuckets, registers: [registry] });
  const waits = new Histogram({ name: "slipway_queue_wait_seconds", help: "How long jobs waited in their pool before starting.", labelNames: ["pool"], buckets: durationBuckets, registers: [registry] });
  const pools: PoolName[] = ["plan", "apply", "canary"];
  new Gauge({
    name: "slipway_queue_jobs",
    help: "Jobs waiting and running, per pool.",
    labelNames: ["pool", "state"],
    registers: [registry],
    collect() {
      if (!params.queueStats) return;
      for (const pool of pools) {
        const stats = params.queueStats(pool);
        this.set({ pool, state: "waiting" }, stats.waiting);
        this.set({ pool, state: "running" }, stats.running);
      }
    },
  });
  const kube = new Counter({ name: "slipway_kube_requests_total", help: "Requests to Kubernetes API servers, by method and HTTP code (\"error\": no answer).", labelNames: ["method", "code"], registers: [registry] });
  const github = new Counter({ name: "slipway_github_requests_total", help: "Requests to GitHub's API, by method and HTTP code (\"error\": no answer).", labelNames: ["method", "code"], registers: [registry] });
  const renewFailures = new Counter({ name: "slipway_lease_renew_failures_total", help: "Failed renewals of apply Leases.", registers: [registry] });
  const held = new Gauge({ name: "slipway_leases_held", help: "Apply Leases this server holds now.", registers: [registry] });
  const observer: Observer = {
    plan: (conclusion, ms) => plans.observe({ conclusion }, ms / 1000),
    apply: (outcome, ms) => applies.observe({ outcome }, ms / 1000),
    jobStarted: (pool, ms) => waits.observe({ pool }, ms / 1000),
    kubeRequest: (method, code) => kube.inc({ method, code: String(code) }),
    githubRequest: (method, code) => github.inc({ method, code: String(code) }),
    leaseRenewFailed: () => renewFailures.inc(),
    leaseHeld: (delta) => held.inc(delta),
  };
  return { registry, observer };
}
