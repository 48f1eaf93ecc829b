// One size of the plan benchmark: prepare the scenario, warm every tool up, then time them in
// rotating order (so none always runs on a cache another just warmed) and check after every run
// that Slipway and kubectl found the same changed objects. Each run times:
//   - `slipway plan` (the built command line, a new process; and, with --before-cli, an older build);
//   - `kubectl diff --server-side` on the same files;
//   - the API server's limit: the requests any plan must make, sent as fast as it takes them.
// Both tools keep their discovery caches from run to run, as they do for a user (kubectl's
// ~/.kube/cache, Slipway's ~/.cache/slipway/discovery); the warm-up fills them.
import { join } from "node:path";
import { runApiLimit } from "./api-limit.js";
import { runSlipwayCli, type SlipwayCliRun } from "./cli-plan.js";
import { compareChangedSets, type SetMismatch } from "./compare.js";
import { preparePlanScenario } from "./scenario.js";
import { runKubectlDiff, unifiedDiff, type BenchCluster, type KubectlRun } from "./tools.js";

export interface PlanSizeResult {
  size: number;
  /** Objects the head revision changes. */
  edited: number;
  slipwaySeconds: number[];
  /** With --before-cli: the older build's times, in the same runs. */
  beforeSeconds: number[];
  kubectlSeconds: number[];
  limitSeconds: number[];
  /** Requests the limit sends: one LIST per kind and one dry-run per object. */
  limitRequests: number;
  /** Peak RSS of every run, the warm-up included. */
  slipwayPeakMiB: number[];
  beforePeakMiB: number[];
  kubectlPeakMiB: number[];
  /** What disagreed; empty when every run of both tools found exactly the edited objects. */
  mismatches: string[];
}

export interface PlanSizeParams {
  size: number;
  runs: number;
  cluster: BenchCluster;
  workDir: string;
  log: (line: string) => void;
  /** An older build's cli.js, timed beside this one (before/after in one run). */
  beforeCli?: string;
}

export async function benchPlanSize(params: PlanSizeParams): Promise<PlanSizeResult> {
  const { size, cluster, log } = params;
  log(`${size} objects: seeding the cluster`);
  const scenario = await preparePlanScenario({ size, kubeconfigPath: cluster.kubeconfigPath, workDir: params.workDir });
  const caches = join(params.workDir, scenario.namespace, "caches");
  const kubectlTarget = { kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, dir: scenario.headDir, scratchDir: scenario.scratchDir };
  const cli = (cacheHome: string, builtCli?: string) => () =>
    runSlipwayCli({ kubeconfigPath: cluster.kubeconfigPath, root: scenario.root, paths: ["apps"], cacheHome, builtCli });
  const tools = {
    slipway: cli(join(caches, "slipway")),
    before: params.beforeCli ? cli(join(caches, "before"), params.beforeCli) : undefined,
    kubectl: () => runKubectlDiff({ ...kubectlTarget, cacheDir: join(caches, "kubectl") }),
    limit: () => runApiLimit({ kubeconfigPath: cluster.kubeconfigPath, requests: scenario.limitRequests }),
  };
  const result: PlanSizeResult = {
    size,
    edited: scenario.edited.size,
    slipwaySeconds: [],
    beforeSeconds: [],
    kubectlSeconds: [],
    limitSeconds: [],
    limitRequests: scenario.limitRequests.length,
    slipwayPeakMiB: [],
    beforePeakMiB: [],
    kubectlPeakMiB: [],
    mismatches: [],
  };

  const check = async (label: string, s: SlipwayCliRun, k: KubectlRun) => {
    const mismatch = compareChangedSets({ slipway: new Set(s.changed.keys()), kubectl: k.changed, edited: scenario.edited });
    const lines = [...s.problems, ...mismatch.lines];
    if (lines.length === 0) return;
    log(`MISMATCH (${size} objects, ${label}):\n  ${lines.join("\n  ")}`);
    if (result.mismatches.length === 0) {
      // Evidence only: failing to gather it must not lose the measurements.
      await showMismatch({ mismatch, slipwayDiffs: s.changed, kubectl: kubectlTarget, log }).catch((error: unknown) =>
        log(`could not show the diffs behind the mismatch: ${String(error)}`),
      );
    }
    result.mismatches.push(...lines.filter((line) => !result.mismatches.includes(line)));
  };

  type Step = "slipway" | "before" | "kubectl" | "limit";
  const order: Step[] = ["slipway", ...(tools.before ? (["before"] as const) : []), "kubectl", "limit"];
  for (let run = 0; run <= params.runs; run++) {
    const label = run === 0 ? "warm-up" : `run ${run}/${params.runs}`;
    // Run r starts with the r-th tool: each goes first about as often as the others.
    const rotated = [...order.slice(run % order.length), ...order.slice(0, run % order.length)];
    let s: SlipwayCliRun | undefined;
    let b: SlipwayCliRun | undefined;
    let k: KubectlRun | undefined;
    let limitSeconds = NaN;
    for (const step of rotated) {
      if (step === "slipway") s = await tools.slipway();
      else if (step === "before") b = await tools.before?.();
      else if (step === "kubectl") k = await tools.kubectl();
      else limitSeconds = (await tools.limit()).seconds;
    }
    if (!s || !k) throw new Error("a run skipped a tool");
    log(
      `${size} objects, ${label}: Slipway ${s.seconds.toFixed(2)} s (peak ${s.peakMiB.toFixed(0)} MiB)` +
        (b ? `, before ${b.seconds.toFixed(2)} s (peak ${b.peakMiB.toFixed(0)} MiB)` : "") +
        `, kubectl diff ${k.seconds.toFixed(2)} s (peak ${k.peakMiB.toFixed(0)} MiB), limit ${limitSeconds.toFixed(2)} s; ` +
        `changed: Slipway ${s.changed.size}, kubectl ${k.changed.size}, edited ${scenario.edited.size}`,
    );
    result.slipwayPeakMiB.push(s.peakMiB);
    result.kubectlPeakMiB.push(k.peakMiB);
    if (b) result.beforePeakMiB.push(b.peakMiB);
    await check(label, s, k);
    if (b) await check(`${label}, before`, b, k);
    if (run === 0) continue;
    result.slipwaySeconds.push(s.seconds);
    result.kubectlSeconds.push(k.seconds);
    result.limitSeconds.push(limitSeconds);
    if (b) result.beforeSeconds.push(b.seconds);
  }
  return result;
}

// Evidence for a disagreement between the tools: each side's diff of the objects only it
// reports as changed, so the cause can be read off without re-running anything by hand.
const shownObjects = 3;

async function showMismatch(params: {
  mismatch: SetMismatch;
  slipwayDiffs: ReadonlyMap<string, string>;
  kubectl: { kubectl: string; kubeconfigPath: string; dir: string; scratchDir: string };
  log: (line: string) => void;
}): Promise<void> {
  const { mismatch, log } = params;
  for (const name of mismatch.onlySlipway.slice(0, shownObjects)) {
    log(`Slipway's diff of ${name}:\n${params.slipwayDiffs.get(name) || "(no diff text)"}`);
  }
  if (mismatch.onlyKubectl.length === 0) return;
  const { stdout } = await runKubectlDiff({ ...params.kubectl, externalDiff: unifiedDiff });
  // GNU `diff -r` starts each pair of files with a line `diff <options> LIVE/<name> MERGED/<name>`.
  const sections = stdout.split(/^(?=diff )/m);
  for (const name of mismatch.onlyKubectl.slice(0, shownObjects)) {
    const section = sections.find((text) => text.split("\n", 1)[0]?.endsWith(`/${name}`));
    log(`kubectl's diff of ${name}:\n${section ?? "(not found in kubectl's output)"}`);
  }
}
