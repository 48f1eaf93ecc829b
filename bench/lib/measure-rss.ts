// Peak resident memory of this process while some work runs. RSS is sampled on a timer, so a
// spike shorter than the interval can be missed; `resourceUsage().maxRSS`, the process's
// all-time high-water mark, is kept as a cross-check.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

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
const collectGarbage = runInNewContext("gc") as () => void;

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
