// `npm run bench:plan`: how long the built `slipway plan` takes to plan N objects against a
// real API server, as a new process, and how much memory, next to `kubectl diff --server-side`
// on the same files and the API server's own limit for the same objects, in the same run.
// First `npm run build`, so the command measured is the checkout's; per size: seed a namespace,
// time the tools, check they found the same changes (plan-size.ts); the rest, from starting the
// cluster to writing bench/results/plan.md, is runBenchmark's.
// Exits 1 when the tools disagree on what changed, 2 when the benchmark itself fails.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runBenchmark } from "./lib/main.js";
import { benchPlanSize } from "./lib/plan-size.js";
import { renderPlanTable } from "./lib/tables.js";

runBenchmark({
  name: "bench:plan",
  resultsFile: fileURLToPath(new URL("results/plan.md", import.meta.url)),
  defaultSizes: [7, 100, 500, 2000],
  prepare: async (log) => {
    log("npm run build");
    await promisify(execFile)("npm", ["run", "build"], { cwd: fileURLToPath(new URL("..", import.meta.url)) });
  },
  runSize: benchPlanSize,
  renderTable: renderPlanTable,
  mismatchesOf: (result) =>
    result.mismatches.length === 0 ? [] : [`at ${result.size} objects: Slipway and kubectl diff disagree on what changed:\n  ${result.mismatches.join("\n  ")}`],
});
