// `npm run bench:apply`: how long a push takes to be applied as users see it, from the delivery to
// the completed `slipway/apply` check run, with the built app as a server of its own and GitHub
// played locally, next to `kubectl apply --server-side` of the same files on the same cluster and
// the API server's own limit for the same changes, in the same runs.
// First `npm run build`, so the app measured is the checkout's; per size and run: fresh
// namespaces; a first apply, a re-apply of the same files, and a re-apply with every 10th object
// edited, by each, each checked (apply-size.ts); the rest, from starting the cluster to writing
// bench/results/apply.md, is runBenchmark's.
// Exits 1 when a check fails (an apply failed, objects are missing, Slipway's check run is not
// what the benchmark changed), 2 when the benchmark itself fails.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { benchApplySize, scenarioTitle } from "./lib/apply-size.js";
import { runBenchmark } from "./lib/main.js";
import { renderApplyTable } from "./lib/tables.js";

runBenchmark({
  name: "bench:apply",
  resultsFile: fileURLToPath(new URL("results/apply.md", import.meta.url)),
  defaultSizes: [500],
  prepare: async (log) => {
    log("npm run build");
    await promisify(execFile)("npm", ["run", "build"], { cwd: fileURLToPath(new URL("..", import.meta.url)) });
  },
  runSize: benchApplySize,
  renderTable: renderApplyTable,
  mismatchesOf: (result) =>
    result.scenarios
      .filter((scenario) => scenario.mismatches.length > 0)
      .map((scenario) => `at ${result.size} objects, ${scenarioTitle(scenario.id)}: Slipway's check run is not what the benchmark changed:\n  ${scenario.mismatches.join("\n  ")}`),
});
