// Command-line options of `npm run bench:plan`, parsed once into a fully defaulted type.
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Objects per scenario; each size runs in a fresh namespace. */
  sizes: number[];
  /** Timed runs per tool and size, after one untimed warm-up each. */
  runs: number;
  /** Start kube-controller-manager, kube-scheduler and kwok as well (default: API server and etcd only). */
  controllers: boolean;
}

export const defaultBenchOptions: BenchOptions = { sizes: [100, 500, 1000], runs: 3, controllers: false };

export const usage = "usage: npm run bench:plan -- [--sizes 100,500,1000] [--runs 3] [--controllers]";

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      runs: { type: "string" },
      controllers: { type: "boolean", default: false },
    },
    strict: true,
  });
  const given = values.sizes === undefined ? defaultBenchOptions.sizes : values.sizes.split(",").map((size) => positiveInteger(size, "--sizes"));
  // Ascending: each size's warm-up is then the first run that needs its memory (see bench-size.ts).
  const sizes = [...new Set(given)].sort((a, b) => a - b);
  const runs = values.runs === undefined ? defaultBenchOptions.runs : positiveInteger(values.runs, "--runs");
  return { sizes, runs, controllers: values.controllers };
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: "${text}" is not a positive integer; ${usage}`);
  return value;
}
