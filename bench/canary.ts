// `npm run bench:canary`: N canaries at once in one process, checked every interval against a
// local control plane and a real Prometheus, with real traffic split by their routes: are checks
// late or missed, what one check costs (Prometheus queries, Kubernetes requests, time), and how
// many GitHub requests the check runs take per canary and hour (canary-run.ts). Writes
// bench/results/canary.md. Exits 2 when the benchmark itself fails.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureAssets } from "../test/cluster/assets.js";
import { ensureCanaryAssets } from "../test/cluster/canary-assets.js";
import { startCluster } from "../test/cluster/cluster.js";
import { withCleanup } from "./lib/main.js";
import { runCanaryBench, type CanaryBenchOptions } from "./lib/canary-run.js";
import { renderCanaryTable } from "./lib/canary-table.js";

const resultsFile = fileURLToPath(new URL("results/canary.md", import.meta.url));
const log = (line: string) => process.stderr.write(`[bench:canary] ${line}\n`);
const defaults: CanaryBenchOptions = { canaries: 50, intervalSeconds: 10, seconds: 180, rate: 8, scrapeIntervalSeconds: 2 };
const usage = `usage: npm run bench:canary -- [--canaries ${defaults.canaries}] [--interval ${defaults.intervalSeconds}] [--seconds ${defaults.seconds}] [--rate ${defaults.rate}] [--out ${resultsFile}]`;

function parseOptions(argv: string[]): { options: CanaryBenchOptions; out: string } {
  const { values } = parseArgs({
    args: argv,
    options: { canaries: { type: "string" }, interval: { type: "string" }, seconds: { type: "string" }, rate: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const positive = (text: string | undefined, flag: string, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag}: "${text}" is not a positive integer; ${usage}`);
    return value;
  };
  return {
    options: {
      ...defaults,
      canaries: positive(values.canaries, "canaries", defaults.canaries),
      intervalSeconds: positive(values.interval, "interval", defaults.intervalSeconds),
      seconds: positive(values.seconds, "seconds", defaults.seconds),
      rate: positive(values.rate, "rate", defaults.rate),
    },
    out: values.out ?? resultsFile,
  };
}

async function main(): Promise<void> {
  const { options, out } = parseOptions(process.argv.slice(2));
  const result = await withCleanup({ log }, async (defer) => {
    const assets = await ensureAssets({ log });
    const canaryAssets = await ensureCanaryAssets({ log });
    const cluster = await startCluster({ assets, controllers: true, log });
    defer(() => cluster.stop());
    return runCanaryBench({ options, kubeconfigPath: cluster.kubeconfigPath, assets: canaryAssets, log, defer });
  });
  const table = renderCanaryTable(result);
  process.stdout.write(`\n${table}`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, table);
  log(`wrote ${out}`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 2;
});
