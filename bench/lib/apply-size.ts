// One size of the apply benchmark. The built app runs as a server of its own for the whole size,
// with GitHub played by a local fake; each run (one untimed warm-up first) gets fresh namespaces,
// one per tool and one for the API server's limit, and goes through the three scenarios in each.
// The order of the tools rotates per run, so none always runs on a cache another just warmed.
import { validateGitHubRequest } from "../../test/support/github/openapi.js";
import { runApiLimit } from "./api-limit.js";
import { runAppApply, benchRepo, type AppApplyRun } from "./app-apply.js";
import { startApp, type AppProcess } from "./app-process.js";
import { CheckFailed, checkApplied, checkNamespaceHolds, countActions, unexpectedActions } from "./compare.js";
import { startFakeGitHub, type FakeGitHub } from "./fake-github.js";
import { prepareApplyRun, type ApplyRunSetup, type ApplyStep, type ToolNamespace } from "./scenario.js";
import { connect, runKubectlApply, type BenchCluster } from "./tools.js";
import type { ApplyAction } from "../../src/apply/types.js";

export type ScenarioId = ApplyStep;

interface Scenario {
  id: ScenarioId;
  title: string;
  revision: "beforeDir" | "afterDir";
  /** The action Slipway's report must give each object (by display name, in its namespace). */
  expected: (setup: ApplyRunSetup, namespace: string) => (name: string) => ApplyAction;
}

const scenarios: Scenario[] = [
  { id: "first", title: "first apply", revision: "beforeDir", expected: () => () => "created" },
  // A new commit of the same files, as the next push that changes something else would be.
  { id: "unchanged", title: "re-apply, nothing changed", revision: "beforeDir", expected: () => () => "unchanged" },
  {
    id: "changed",
    title: "re-apply, 10% changed",
    revision: "afterDir",
    // `edited` and `rehashed` name the objects in Slipway's namespace; the other build's has another.
    expected: (setup, namespace) => (name) => {
      const inSlipway = name.replace(`/${namespace}/`, `/${setup.slipway.namespace}/`);
      return setup.edited.has(inSlipway) || setup.rehashed.has(inSlipway) ? "configured" : "unchanged";
    },
  },
];

export const scenarioTitle = (id: ScenarioId) => scenarios.find((scenario) => scenario.id === id)?.title ?? id;

export interface ScenarioResult {
  id: ScenarioId;
  slipwaySeconds: number[];
  /** With --before-app: the other build, in the same runs. */
  beforeSeconds: number[];
  kubectlSeconds: number[];
  limitSeconds: number[];
  limitRequests: number;
  /** Where Slipway's check run disagreed with what the benchmark changed; empty when it never did. */
  mismatches: string[];
}

export interface ApplySizeResult {
  size: number;
  /** Names of the objects the 10% revision edits, and of the Deployments it changes through their config hash only. */
  edited: string[];
  rehashed: string[];
  scenarios: ScenarioResult[];
  /** The app's peak resident memory over the whole size, the warm-up included. */
  appPeakMiB: number;
}

type Tool = "slipway" | "before" | "kubectl" | "limit";

export async function benchApplySize(params: { size: number; runs: number; cluster: BenchCluster; workDir: string; log: (line: string) => void; beforeApp?: string }): Promise<ApplySizeResult> {
  const { size, cluster, log } = params;
  const results: ScenarioResult[] = scenarios.map(({ id }) => ({ id, slipwaySeconds: [], beforeSeconds: [], kubectlSeconds: [], limitSeconds: [], limitRequests: 0, mismatches: [] }));
  let setup: ApplyRunSetup | undefined;
  const github = await startFakeGitHub(benchRepo);
  const apps: { slipway?: AppProcess; before?: AppProcess } = {};
  // For the checks only, never inside a timed run.
  const checker = await connect(cluster.kubeconfigPath);
  try {
    apps.slipway = await startApp({ kubeconfigPath: cluster.kubeconfigPath, githubHost: github.host, workDir: params.workDir });
    if (params.beforeApp) apps.before = await startApp({ kubeconfigPath: cluster.kubeconfigPath, githubHost: github.host, workDir: params.workDir, server: params.beforeApp, label: "before-app" });
    const tools: Tool[] = ["slipway", ...(apps.before ? ["before" as const] : []), "kubectl", "limit"];
    for (let run = 0; run <= params.runs; run++) {
      const label = run === 0 ? "warm-up" : `run ${run}/${params.runs}`;
      setup = await prepareApplyRun({ size, label: run === 0 ? "w" : `r${run}`, kubeconfigPath: cluster.kubeconfigPath, workDir: params.workDir, withBefore: apps.before !== undefined });
      const current = setup;
      for (const [index, scenario] of scenarios.entries()) {
        const what = `${size} objects, ${label}, ${scenario.title}`;
        const result = results[index] as ScenarioResult;
        const seconds = new Map<Tool, number>();
        const runApp = async (app: AppProcess, side: ToolNamespace, tool: Tool) => {
          const applied = await runAppApply({ app, github, namespace: side.namespace, dir: side[scenario.revision] });
          check({ applied, side, what: `${what}, ${tool === "before" ? "the other build" : "Slipway"}`, expected: scenario.expected(current, side.namespace), result, log, size });
          log(`${what}: ${tool} ${applied.seconds.toFixed(2)} s (${countActions(applied.report)})\n    GitHub requests until the check run completed: ${applied.timeline}`);
          seconds.set(tool, applied.seconds);
        };
        const runs: Record<Tool, () => Promise<void>> = {
          slipway: () => runApp(apps.slipway as AppProcess, current.slipway, "slipway"),
          before: () => runApp(apps.before as AppProcess, current.before as ToolNamespace, "before"),
          kubectl: async () => {
            const k = await runKubectlApply({ kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, dir: current.kubectl[scenario.revision], scratchDir: current.kubectl.scratchDir });
            if (k.applied !== size) throw new CheckFailed(`${what}: kubectl reported ${k.applied} objects serverside-applied, not ${size}`);
            seconds.set("kubectl", k.seconds);
          },
          limit: async () => {
            const limit = await runApiLimit({ kubeconfigPath: cluster.kubeconfigPath, phases: current.limit[scenario.id] });
            result.limitRequests = limit.requests;
            seconds.set("limit", limit.seconds);
          },
        };
        // Each run starts with the next tool: the warm-up with Slipway, run 1 with the next one, …
        for (let step = 0; step < tools.length; step++) await runs[tools[(run + step) % tools.length] as Tool]();
        log(`${what}: ${tools.map((tool) => `${tool} ${seconds.get(tool)?.toFixed(2)} s`).join(", ")}`);
        if (scenario.id === "first") {
          for (const side of [current.slipway, current.kubectl, ...(current.before ? [current.before] : [])]) {
            await checkNamespaceHolds(checker.store, { namespace: side.namespace, objects: side.objects, what: `${what}, ${side.namespace}` });
          }
        }
        if (run === 0) continue;
        result.slipwaySeconds.push(seconds.get("slipway") ?? NaN);
        if (seconds.has("before")) result.beforeSeconds.push(seconds.get("before") ?? NaN);
        result.kubectlSeconds.push(seconds.get("kubectl") ?? NaN);
        result.limitSeconds.push(seconds.get("limit") ?? NaN);
      }
    }
    checkGitHubTraffic(github);
    return { size, edited: [...(setup?.edited ?? [])], rehashed: [...(setup?.rehashed ?? [])], scenarios: results, appPeakMiB: await apps.slipway.peakRssMiB() };
  } finally {
    checker.client.close();
    await apps.before?.stop();
    await apps.slipway?.stop();
    await github.close();
  }
}

function check(params: { applied: AppApplyRun; side: ToolNamespace; what: string; expected: (name: string) => ApplyAction; result: ScenarioResult; log: (line: string) => void; size: number }): void {
  const { applied, what, result } = params;
  checkApplied(applied.report, what);
  const mismatches = unexpectedActions(applied.report, params.expected, params.size);
  if (mismatches.length > 0) params.log(`MISMATCH (${what}): the check run is not what the benchmark changed:\n  ${mismatches.join("\n  ")}`);
  result.mismatches.push(...mismatches.filter((line) => !result.mismatches.includes(line)));
}

/** Every request the app sent was one the fake plays, and one GitHub's OpenAPI description allows. */
export function checkGitHubTraffic(github: FakeGitHub): void {
  const problems = [...github.unexpected.map((request) => `not played by the fake GitHub: ${request}`)];
  for (const request of github.requests) {
    if (request.path.startsWith("/_codeload/")) continue;
    try {
      validateGitHubRequest({ method: request.method, path: request.path, body: request.body });
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0) throw new CheckFailed(`the app's GitHub requests:\n  ${[...new Set(problems)].slice(0, 10).join("\n  ")}`);
}
