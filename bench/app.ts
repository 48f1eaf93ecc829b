// `npm run bench:app`: how long the built app takes from a `pull_request.synchronize` delivery to
// the completed plan check run, for a 7-object change, and how much of that is Slipway's own: the
// app as a server of its own, GitHub played locally, the API server behind a proxy that times each
// request (app-size.ts). First `npm run build`, so the app measured is the checkout's; the rest,
// from starting the cluster to writing bench/results/app.md, is runBenchmark's.
// Exits 1 when a check fails (the plan's check run does not show the change, the app sent GitHub
// something it would refuse), 2 when the benchmark itself fails.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { benchAppSize } from "./lib/app-size.js";
import { renderAppTable } from "./lib/app-table.js";
import { runBenchmark } from "./lib/main.js";

runBenchmark({
  name: "bench:app",
  resultsFile: fileURLToPath(new URL("results/app.md", import.meta.url)),
  defaultSizes: [7],
  prepare: async (log) => {
    log("npm run build");
    await promisify(execFile)("npm", ["run", "build"], { cwd: fileURLToPath(new URL("..", import.meta.url)) });
  },
  runSize: benchAppSize,
  renderTable: renderAppTable,
  mismatchesOf: () => [],
});
