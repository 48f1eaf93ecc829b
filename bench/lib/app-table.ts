// bench:app's table: the plan of a pull request's change as the built app makes it, and where its
// time went.
import type { AppPlanRun } from "./app-plan.js";
import type { AppSizeResult } from "./app-size.js";
import { median } from "./measure.js";
import { markdownTable, type BenchSetup } from "./tables.js";

/** Issue 12's goal: the time Slipway adds on top of the API server's and GitHub's round trips. */
export const ownGoalMs = 200;

const ownMs = (run: AppPlanRun) => run.seconds * 1000 - run.eitherMs;

export function renderAppTable(params: { results: AppSizeResult[]; setup: BenchSetup }): string {
  const { setup } = params;
  const withBefore = params.results.some((result) => result.before.length > 0);
  const ms = (runs: AppPlanRun[], of: (run: AppPlanRun) => number) => median(runs.map(of)).toFixed(0);
  const header = [
    "N objects (check run)",
    ...(withBefore ? ["before: delivery → check run completed (s)", "before: Slipway's own (ms)"] : []),
    "delivery → check run completed (s)",
    "a GitHub request under way (ms)",
    "an API server request under way (ms)",
    "either (ms)",
    "Slipway's own (ms)",
    "API server's limit (s)",
  ];
  const rows = params.results.map((result) => [
    `${result.size} (${result.title})`,
    ...(withBefore ? [median(result.before.map((run) => run.seconds)).toFixed(3), ms(result.before, ownMs)] : []),
    median(result.slipway.map((run) => run.seconds)).toFixed(3),
    `${ms(result.slipway, (run) => run.githubMs)} (${ms(result.slipway, (run) => run.githubRequests)} requests)`,
    `${ms(result.slipway, (run) => run.kubeMs)} (${ms(result.slipway, (run) => run.kubeRequests)} requests)`,
    ms(result.slipway, (run) => run.eitherMs),
    ms(result.slipway, ownMs),
    `${median(result.limitSeconds).toFixed(3)} (${result.limitRequests} requests)`,
  ]);
  const goal = params.results.map((result) => {
    const own = median(result.slipway.map(ownMs));
    return `${result.size} objects: ${own.toFixed(0)} ms, ${own < ownGoalMs ? "met" : "**not met**"}`;
  });
  return [
    `A pull request's plan as users see it: the built app (\`node lib/server.js\`, as for bench:apply) as a server of its own, GitHub played by the local fake, ` +
      `the API server reached through a plain-HTTP proxy on loopback that times each request (it speaks TLS to the API server over keep-alive connections). ` +
      `Timed from posting a signed \`pull_request.synchronize\` (a new head commit of the same change) to the arrival of the request that completes the \`slipway/plan (bench)\` check run. ` +
      `Of that time: how long at least one GitHub request was under way (from its arrival at the fake to its answer), at least one API server request (at the proxy), either, and the rest, Slipway's own: ` +
      `receiving and checking the delivery, queueing, parsing, diffing, rendering, Octokit and the Kubernetes client, and waiting for GitHub's write pacing. ` +
      `The API server's limit for the same plan: one LIST per kind and one dry-run apply per object, 32 in flight. ` +
      `Times: median of ${setup.runs} runs after one warm-up, each after 5 s without a job, the order rotated per run.`,
    "",
    ...markdownTable({ header, rows, align: (column) => (column === 0 ? "left" : "right") }),
    "",
    `Goal (issue 12), Slipway's own time under ${ownGoalMs} ms: ${goal.join("; ")}.`,
    "",
    `${setup.date}; ${setup.machine}; Node ${setup.node}.`,
    "",
  ].join("\n");
}
