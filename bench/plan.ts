// `npm run bench:plan`: how long Slipway takes to plan N objects against a real API server,
// and how much memory, next to `kubectl diff --server-side` on the same files and cluster.
// Per size: seed a namespace, time both tools, check they found the same changes (plan-size.ts);
// the rest, from starting the cluster to writing bench/results/plan.md, is runBenchmark's.
// Exits 1 when the tools disagree on what changed, 2 when the benchmark itself fails.
import { fileURLToPath } from "node:url";
import { runBenchmark } from "./lib/main.js";
import { benchPlanSize } from "./lib/plan-size.js";
import { renderPlanTable } from "./lib/tables.js";

runBenchmark({
  name: "bench:plan",
  resultsFile: fileURLToPath(new URL("results/plan.md", import.meta.url)),
  defaultSizes: [100, 500, 1000],
  runSize: benchPlanSize,
  renderTable: renderPlanTable,
  mismatchesOf: (result) =>
    result.mismatches.length === 0 ? [] : [`at ${result.size} objects: Slipway and kubectl diff disagree on what changed:\n  ${result.mismatches.join("\n  ")}`],
});
