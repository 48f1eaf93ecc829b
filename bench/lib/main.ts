// What `npm run bench:plan` and `npm run bench:apply` share around their measurements:
//   1. parse the options;
//   2. start a test cluster with the integration tests' harness (API server and etcd only unless
//      --controllers), with a temporary directory for the manifests;
//   3. run each size, in ascending order;
//   4. print the table and write it to bench/results/; stop the cluster and remove the files.
// Exits 1 when a check fails (the tools disagree, an apply failed, objects are missing), 2 when
// the benchmark itself fails.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { ensureAssets } from "../../test/cluster/assets.js";
import { startCluster } from "../../test/cluster/cluster.js";
import { CheckFailed } from "./compare.js";
import { describeSetup, type BenchSetup } from "./tables.js";
import type { BenchCluster } from "./tools.js";

type Log = (line: string) => void;

export interface BenchmarkParams<R> {
  /** The npm script, e.g. `bench:plan`: it prefixes the log lines and names the usage line. */
  name: string;
  /** Where the table is written, e.g. bench/results/plan.md. */
  resultsFile: string;
  /** Objects per scenario when --sizes is not given. */
  defaultSizes: number[];
  /** Measures one size; each size gets fresh namespaces. */
  runSize: (params: { size: number; runs: number; cluster: BenchCluster; workDir: string; log: Log; beforeCli?: string; beforeApp?: string }) => Promise<R>;
  /** Work before the cluster starts, untimed: bench:plan builds the command line it runs. */
  prepare?: (log: Log) => Promise<void>;
  renderTable: (params: { results: R[]; setup: BenchSetup }) => string;
  /** What a size's checks found wrong, one message each; empty when they all passed. */
  mismatchesOf: (result: R) => string[];
}

export function runBenchmark<R>(params: BenchmarkParams<R>): void {
  const log: Log = (line) => process.stderr.write(`[${params.name}] ${line}\n`);
  main(params, log).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = error instanceof CheckFailed ? 1 : 2;
    },
  );
}

async function main<R>(params: BenchmarkParams<R>, log: Log): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), { script: params.name, options: { ...defaultBenchOptions, sizes: params.defaultSizes } });
  const { results, table } = await withCleanup({ log }, async (defer) => {
    const workDir = await mkdtemp(join(tmpdir(), `slipway-${params.name.replace(":", "-")}-`));
    defer(() => rm(workDir, { recursive: true, force: true }));
    await params.prepare?.(log);
    const assets = await ensureAssets({ log });
    const cluster = await startCluster({ assets, controllers: options.controllers, log });
    defer(() => cluster.stop());

    const target = { kubeconfigPath: cluster.kubeconfigPath, kubectl: assets.kubectl };
    const results: R[] = [];
    for (const size of options.sizes) results.push(await params.runSize({ size, runs: options.runs, cluster: target, workDir, log, beforeCli: options.beforeCli, beforeApp: options.beforeApp }));
    const setup = await describeSetup({ kubectl: assets.kubectl, runs: options.runs, controllers: options.controllers });
    return { results, table: params.renderTable({ results, setup }) };
  });

  process.stdout.write(`\n${table}`);
  await mkdir(dirname(params.resultsFile), { recursive: true });
  await writeFile(params.resultsFile, table);
  log(`wrote ${params.resultsFile}`);
  const mismatches = results.flatMap(params.mismatchesOf);
  for (const message of mismatches) log(`!!! MISMATCH ${message}`);
  return mismatches.length > 0 ? 1 : 0;
}

// Command-line options, parsed once into a fully defaulted type. The benchmarks share the flags
// and differ in their default sizes.
interface BenchOptions {
  /** Objects per scenario; each size runs in a fresh namespace. */
  sizes: number[];
  /** Timed runs per tool and size, after one untimed warm-up each. */
  runs: number;
  /** Start kube-controller-manager, kube-scheduler and kwok as well (default: API server and etcd only). */
  controllers: boolean;
  /** bench:plan: another build's cli.js, timed beside this one in the same runs (before/after a change). */
  beforeCli?: string;
  /** bench:apply: another build's server.js, run as a second app and timed beside this one in the same runs. */
  beforeApp?: string;
}

interface BenchDefaults {
  /** The npm script, for the usage line. */
  script: string;
  options: BenchOptions;
}

const defaultBenchOptions: BenchOptions = { sizes: [100, 500, 1000], runs: 3, controllers: false };

const usageOf = (defaults: BenchDefaults) =>
  `usage: npm run ${defaults.script} -- [--sizes ${defaults.options.sizes.join(",")}] [--runs ${defaults.options.runs}] [--controllers] [--before-cli path/to/cli.js] [--before-app path/to/server.js]`;

function parseBenchOptions(argv: string[], defaults: BenchDefaults): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      runs: { type: "string" },
      controllers: { type: "boolean", default: false },
      "before-cli": { type: "string" },
      "before-app": { type: "string" },
    },
    strict: true,
  });
  const help = usageOf(defaults);
  const given = values.sizes === undefined ? defaults.options.sizes : values.sizes.split(",").map((size) => positiveInteger(size, "--sizes", help));
  // Ascending: each size's warm-up is then the first run that needs its memory (see plan-size.ts).
  const sizes = [...new Set(given)].sort((a, b) => a - b);
  const runs = values.runs === undefined ? defaults.options.runs : positiveInteger(values.runs, "--runs", help);
  return { sizes, runs, controllers: values.controllers, beforeCli: values["before-cli"], beforeApp: values["before-app"] };
}

function positiveInteger(text: string, flag: string, help: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag}: "${text}" is not a positive integer; ${help}`);
  return value;
}

// Cleanups (the test cluster, temporary files) that run when the work ends, fails or is
// interrupted with Ctrl-C or SIGTERM, newest first. On a signal the process exits 130 once
// they are done; the cluster's supervise.sh covers a SIGKILL.
export type Defer = (cleanup: () => Promise<void>) => void;

export async function withCleanup<T>(params: { log: Log }, work: (defer: Defer) => Promise<T>): Promise<T> {
  const cleanups: Array<() => Promise<void>> = [];
  // One pass, shared: a signal during the final cleanup must wait for it, not start another.
  let cleaning: Promise<void> | undefined;
  const runCleanups = () =>
    (cleaning ??= (async () => {
      for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
        await cleanup().catch((error: unknown) => params.log(`cleanup failed: ${String(error)}`));
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    params.log(`${signal}: stopping the cluster and removing temporary files`);
    void runCleanups().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await work((cleanup) => cleanups.push(cleanup));
  } finally {
    await runCleanups();
    // Only now: Ctrl-C during the cleanup would otherwise kill the process halfway through it.
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
