// Command-line options of `npm run bench:plan` and `npm run bench:apply`, parsed once into a
// fully defaulted type. The benchmarks share the flags and differ in their default sizes.
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Objects per scenario; each size runs in a fresh namespace. */
  sizes: number[];
  /** Timed runs per tool and size, after one untimed warm-up each. */
  runs: number;
  /** Start kube-controller-manager, kube-scheduler and kwok as well (default: API server and etcd only). */
  controllers: boolean;
}

export interface BenchDefaults {
  /** The npm script, for the usage line. */
  script: string;
  options: BenchOptions;
}

export const defaultBenchOptions: BenchOptions = { sizes: [100, 500, 1000], runs: 3, controllers: false };

const planDefaults: BenchDefaults = { script: "bench:plan", options: defaultBenchOptions };

export const usageOf = (defaults: BenchDefaults) =>
  `usage: npm run ${defaults.script} -- [--sizes ${defaults.options.sizes.join(",")}] [--runs ${defaults.options.runs}] [--controllers]`;

export function parseBenchOptions(argv: string[], defaults: BenchDefaults = planDefaults): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      runs: { type: "string" },
      controllers: { type: "boolean", default: false },
    },
    strict: true,
  });
  const help = usageOf(defaults);
  const given = values.sizes === undefined ? defaults.options.sizes : values.sizes.split(",").map((size) => positiveInteger(size, "--sizes", help));
  // Ascending: each size's warm-up is then the first run that needs its memory (see plan-size.ts).
  const sizes = [...new Set(given)].sort((a, b) => a - b);
  const runs = values.runs === undefined ? defaults.options.runs : positiveInteger(values.runs, "--runs", help);
  return { sizes, runs, controllers: values.controllers };
}

function positiveInteger(text: string, flag: string, help: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: "${text}" is not a positive integer; ${help}`);
  return value;
}
