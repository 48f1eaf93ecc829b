// `npm run bench:apply`: how long Slipway takes to apply N objects to a real API server, and how
// much memory, next to `kubectl apply --server-side` of the same files on the same cluster.
// Per size and run: two fresh namespaces; a first apply, a re-apply of the same files, and a
// re-apply with every 10th object edited, by both tools, each checked (apply-size.ts); the rest,
// from starting the cluster to writing bench/results/apply.md, is runBenchmark's.
// Exits 1 when a check fails (an apply failed, objects are missing, Slipway's report is not what
// the benchmark changed), 2 when the benchmark itself fails.
import { fileURLToPath } from "node:url";
import { benchApplySize, scenarioTitle } from "./lib/apply-size.js";
import { runBenchmark } from "./lib/main.js";
import { renderApplyTable } from "./lib/tables.js";

runBenchmark({
  name: "bench:apply",
  resultsFile: fileURLToPath(new URL("results/apply.md", import.meta.url)),
  defaultSizes: [500],
  runSize: benchApplySize,
  renderTable: renderApplyTable,
  mismatchesOf: (result) =>
    result.scenarios
      .filter((scenario) => scenario.mismatches.length > 0)
      .map((scenario) => `at ${result.size} objects, ${scenarioTitle(scenario.id)}: Slipway's report is not what the benchmark changed:\n  ${scenario.mismatches.join("\n  ")}`),
});
