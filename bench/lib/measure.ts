// What the benchmarks measure beyond wall-clock time: Slipway's peak memory, the requests it
// sent and when, and the median the tables report.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { KubeClient, KubeRequest, KubeResponse } from "../../src/kube/client.js";

// Peak resident memory of this process while some work runs. RSS is sampled on a timer, so a
// spike shorter than the interval can be missed; `resourceUsage().maxRSS`, the process's
// all-time high-water mark, is kept as a cross-check.
export interface RssPeak {
  /** RSS right before the work, after a full garbage collection. */
  baselineMiB: number;
  /** The highest sample during the work. */
  peakMiB: number;
  /** The process's high-water mark after the work (includes anything before it). */
  maxRssMiB: number;
}

const MiB = 1024 * 1024;

// `npm run bench:plan` is plain `tsx bench/plan.ts`, without --expose-gc; V8 still hands out
// `gc` to a new context once the flag is set. A collection before each run keeps garbage of
// the previous run out of the baseline.
setFlagsFromString("--expose-gc");
export const collectGarbage = runInNewContext("gc") as () => void;

export async function measureRss<T>(work: () => Promise<T>, intervalMs = 20): Promise<{ result: T; rss: RssPeak }> {
  collectGarbage();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  const timer = setInterval(sample, intervalMs);
  try {
    const result = await work();
    sample();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    return { result, rss: { baselineMiB: baseline / MiB, peakMiB: peak / MiB, maxRssMiB: maxRss / MiB } };
  } finally {
    clearInterval(timer);
  }
}

// Which requests a Slipway run sent and when, by kind of request: evidence for where its time
// goes. It wraps `request` on the one client instance; the engine itself is untouched.
export interface RequestPhase {
  count: number;
  /** Milliseconds since the run started: when the first of them was sent, when the last answered. */
  firstStartMs: number;
  lastEndMs: number;
}

/** Kind of request (`apply (dry-run)`, `GET leases`, `LIST deployments`, …) → its phase. */
export type RequestTally = Map<string, RequestPhase>;

export function countRequests(client: KubeClient, origin: number): RequestTally {
  const tally: RequestTally = new Map();
  const send = client.request.bind(client);
  client.request = async <T>(req: KubeRequest): Promise<KubeResponse<T>> => {
    const started = performance.now() - origin;
    try {
      return await send<T>(req);
    } finally {
      const key = classify(req);
      const phase = tally.get(key) ?? { count: 0, firstStartMs: started, lastEndMs: 0 };
      tally.set(key, { count: phase.count + 1, firstStartMs: Math.min(phase.firstStartMs, started), lastEndMs: performance.now() - origin });
    }
  };
  return tally;
}

export function describeTally(tally: RequestTally): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  return [...tally]
    .sort(([, a], [, b]) => a.firstStartMs - b.firstStartMs)
    .map(([key, phase]) => `${phase.count} ${key} (${seconds(phase.firstStartMs)}–${seconds(phase.lastEndMs)} s)`)
    .join(", ");
}

/** Paths are `/api/v1/…` or `/apis/<group>/<version>/…`, then `[namespaces/<ns>/]<resource>[/<name>]`. */
function classify(req: KubeRequest): string {
  const parts = req.path.split("/").filter(Boolean);
  const rest = parts.slice(parts[0] === "api" ? 2 : 3);
  if (rest.length === 0) return "discovery";
  const namespaced = rest[0] === "namespaces" && rest.length >= 3;
  const [resource, name] = namespaced ? [rest[2], rest[3]] : [rest[0], rest[1]];
  if (req.method === "PATCH") return req.query?.dryRun ? "apply (dry-run)" : "apply";
  return `${req.method === "GET" && name === undefined ? "LIST" : req.method} ${resource ?? "?"}`;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}
