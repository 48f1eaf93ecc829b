// What the benchmarks share beyond wall-clock time: a full garbage collection before a timed
// run, and the median the tables report.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// `npm run bench:yaml` is plain `tsx bench/yaml.ts`, without --expose-gc; V8 still hands out
// `gc` to a new context once the flag is set. A collection before each run keeps garbage of
// the previous run out of the next.
setFlagsFromString("--expose-gc");
export const collectGarbage = runInNewContext("gc") as () => void;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}
