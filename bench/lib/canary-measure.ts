// What `npm run bench:canary` counts around the canary controller, without changing it:
// - each tick the queue runs: when it was queued, started and ended, and, through an
//   AsyncLocalStorage opened around it, the Prometheus queries and Kubernetes requests it sent;
// - the GitHub requests its check-run reporting sends, to a fake client that answers like GitHub;
// - from the canaries' states afterwards, how late each check came after it was due.
import { AsyncLocalStorage } from "node:async_hooks";
import type { CanaryState } from "../../src/canary/types.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { WorkQueue, type JobSpec } from "../../src/jobs/queue.js";
import type { KubeClient, KubeRequest, KubeResponse } from "../../src/kube/client.js";

export interface TickRecord {
  key: string;
  enqueuedAt: number;
  startedAt: number;
  endedAt: number;
  queries: number;
  /** From the first query sent to the last answered (a check sends its queries together). */
  queryWallMs: number;
  kubeRequests: number;
}

interface TickScope {
  queries: number;
  firstQueryAt?: number;
  lastAnswerAt?: number;
  kubeRequests: number;
}

const scope = new AsyncLocalStorage<TickScope>();

/** A WorkQueue whose every job is timed and counted (the canary pool's ticks, here). */
export class MeasuredQueue extends WorkQueue {
  readonly ticks: TickRecord[] = [];

  override enqueue<T>(spec: JobSpec<T>): boolean {
    const enqueuedAt = performance.now();
    return super.enqueue({
      ...spec,
      run: (payload, signal) => {
        const counts: TickScope = { queries: 0, kubeRequests: 0 };
        const startedAt = performance.now();
        return scope.run(counts, () => spec.run(payload, signal)).finally(() => {
          const queryWallMs = counts.firstQueryAt === undefined ? 0 : (counts.lastAnswerAt ?? counts.firstQueryAt) - counts.firstQueryAt;
          this.ticks.push({ key: spec.key, enqueuedAt, startedAt, endedAt: performance.now(), queries: counts.queries, queryWallMs, kubeRequests: counts.kubeRequests });
        });
      },
    });
  }
}

/** Counts the client's requests into the tick that sends them (and all of them, by kind of request). */
export function countKubeRequests(client: KubeClient): Map<string, number> {
  const byKind = new Map<string, number>();
  const send = client.request.bind(client);
  client.request = <T>(req: KubeRequest): Promise<KubeResponse<T>> => {
    const counts = scope.getStore();
    if (counts) counts.kubeRequests += 1;
    const kind = `${req.method} ${req.path.split("/").filter(Boolean).at(req.method === "POST" ? -1 : -2) ?? "?"}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    return send<T>(req);
  };
  return byKind;
}

/** Counts the queries sent to Prometheus with the global fetch (which the Prometheus client uses); returns their latencies. */
export function countPrometheusQueries(prometheusUrl: string): { latenciesMs: number[]; restore: () => void } {
  const original = globalThis.fetch;
  const latenciesMs: number[] = [];
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(prometheusUrl)) return original(input, init);
    const counts = scope.getStore();
    const started = performance.now();
    if (counts) {
      counts.queries += 1;
      counts.firstQueryAt ??= started;
    }
    try {
      return await original(input, init);
    } finally {
      const ended = performance.now();
      latenciesMs.push(ended - started);
      if (counts) counts.lastAnswerAt = Math.max(counts.lastAnswerAt ?? 0, ended);
    }
  };
  return { latenciesMs, restore: () => (globalThis.fetch = original) };
}

export interface GitHubRequest {
  at: number;
  method: "checks.create" | "checks.update";
  /** The check run's name: `slipway/canary (<environment>/<workload>)`. */
  name: string;
  status: string;
}

/** An installation client with only what the canary's reporting uses, answering as GitHub does. */
export function countingGitHub(): { octokit: GitHubClient; requests: GitHubRequest[] } {
  const requests: GitHubRequest[] = [];
  let id = 1000;
  const record = (method: GitHubRequest["method"], body: { name?: string; status?: string }) =>
    requests.push({ at: Date.now(), method, name: body.name ?? "?", status: body.status ?? "?" });
  const octokit = {
    rest: {
      checks: {
        create: (body: { name: string; status: string }) => {
          record("checks.create", body);
          id += 1;
          return Promise.resolve({ data: { id, html_url: `https://github.com/acme/web/runs/${id}` } });
        },
        update: (body: { name: string; status: string }) => {
          record("checks.update", body);
          return Promise.resolve({ data: {} });
        },
      },
    },
  };
  return { octokit: octokit as unknown as GitHubClient, requests };
}

/** How late each check came: its time against the previous check's (or the first step's start) plus the interval. */
export function checkLateness(state: CanaryState): number[] {
  const firstStep = state.events.find((event) => event.what.startsWith("Queries answer"));
  let due = firstStep ? Date.parse(firstStep.at) + state.config.interval : undefined;
  const lateness: number[] = [];
  for (const check of state.checks) {
    const at = Date.parse(check.at);
    if (due !== undefined) lateness.push(at - due);
    due = at + state.config.interval;
  }
  return lateness;
}

/** When the canary reached the manual gate, if it did. */
export function gateReachedAt(state: CanaryState): number | undefined {
  const event = state.events.find((candidate) => candidate.what.startsWith("Every step passed; waiting at the gate"));
  return event ? Date.parse(event.at) : undefined;
}

/** The value below which `p` of the values fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}
