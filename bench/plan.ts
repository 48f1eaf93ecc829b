// `npm run bench:plan`: how long Slipway takes to plan N objects against a real API server,
// and how much memory, next to `kubectl diff --server-side` on the same files and cluster.
//   1. start a test cluster with the integration tests' harness;
//   2. per size: seed a namespace, time both tools, check they found the same changes;
//   3. print the table and write it to bench/results/plan.md.
// Exits 1 when the tools disagree on what changed, 2 when the benchmark itself fails.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAssets } from "../test/cluster/assets.js";
import { startCluster } from "../test/cluster/cluster.js";
import { benchPlanSize, type PlanSizeResult } from "./lib/plan-size.js";
import { parseBenchOptions } from "./lib/options.js";
import { describeSetup, renderPlanTable } from "./lib/tables.js";
import { withCleanup } from "./lib/with-cleanup.js";

const log = (line: string) => process.stderr.write(`[bench:plan] ${line}\n`);
const resultsFile = fileURLToPath(new URL("results/plan.md", import.meta.url));

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  const { results, table } = await withCleanup({ log }, async (defer) => {
    const workDir = await mkdtemp(join(tmpdir(), "slipway-bench-"));
    defer(() => rm(workDir, { recursive: true, force: true }));
    const assets = await ensureAssets({ log });
    const cluster = await startCluster({ assets, controllers: options.controllers, log });
    defer(() => cluster.stop());

    const target = { kubeconfigPath: cluster.kubeconfigPath, kubectl: assets.kubectl };
    const results: PlanSizeResult[] = [];
    for (const size of options.sizes) results.push(await benchPlanSize({ size, runs: options.runs, cluster: target, workDir, log }));
    const setup = await describeSetup({ kubectl: assets.kubectl, runs: options.runs, controllers: options.controllers });
    return { results, table: renderPlanTable({ results, setup }) };
  });

  process.stdout.write(`\n${table}`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, table);
  log(`wrote ${resultsFile}`);
  const failed = results.filter((result) => result.mismatches.length > 0);
  for (const result of failed) {
    log(`!!! MISMATCH at ${result.size} objects: Slipway and kubectl diff disagree on what changed:\n  ${result.mismatches.join("\n  ")}`);
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
