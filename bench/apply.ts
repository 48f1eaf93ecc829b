// `npm run bench:apply`: how long Slipway takes to apply N objects to a real API server, and how
// much memory, next to `kubectl apply --server-side` of the same files on the same cluster:
//   1. start a test cluster with the integration tests' harness (no controllers by default);
//   2. per size and run: two fresh namespaces; a first apply, a re-apply of the same files, and
//      a re-apply with every 10th object edited, by both tools, each checked;
//   3. print the table and write it to bench/results/apply.md.
// Exits 1 when a check fails (an apply failed, objects are missing, Slipway's report is not what
// the benchmark changed), 2 when the benchmark itself fails.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAssets } from "../test/cluster/assets.js";
import { startCluster } from "../test/cluster/cluster.js";
import { benchApplySize, scenarioTitle, type ApplySizeResult } from "./lib/apply-size.js";
import { CheckFailed } from "./lib/compare.js";
import { defaultBenchOptions, parseBenchOptions } from "./lib/options.js";
import { describeSetup, renderApplyTable } from "./lib/tables.js";
import { withCleanup } from "./lib/with-cleanup.js";

const log = (line: string) => process.stderr.write(`[bench:apply] ${line}\n`);
const resultsFile = fileURLToPath(new URL("results/apply.md", import.meta.url));

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), { script: "bench:apply", options: { ...defaultBenchOptions, sizes: [500] } });
  const { results, table } = await withCleanup({ log }, async (defer) => {
    const workDir = await mkdtemp(join(tmpdir(), "slipway-bench-apply-"));
    defer(() => rm(workDir, { recursive: true, force: true }));
    const assets = await ensureAssets({ log });
    const cluster = await startCluster({ assets, controllers: options.controllers, log });
    defer(() => cluster.stop());

    const target = { kubeconfigPath: cluster.kubeconfigPath, kubectl: assets.kubectl };
    const results: ApplySizeResult[] = [];
    for (const size of options.sizes) results.push(await benchApplySize({ size, runs: options.runs, cluster: target, workDir, log }));
    const setup = await describeSetup({ kubectl: assets.kubectl, runs: options.runs, controllers: options.controllers });
    return { results, table: renderApplyTable({ results, setup }) };
  });

  process.stdout.write(`\n${table}`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, table);
  log(`wrote ${resultsFile}`);
  const failed = results.flatMap((result) => result.scenarios.filter((scenario) => scenario.mismatches.length > 0).map((scenario) => ({ result, scenario })));
  for (const { result, scenario } of failed) {
    log(`!!! MISMATCH at ${result.size} objects, ${scenarioTitle(scenario.id)}: Slipway's report is not what the benchmark changed:\n  ${scenario.mismatches.join("\n  ")}`);
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = error instanceof CheckFailed ? 1 : 2;
  },
);
