// One size of the plan benchmark: prepare the scenario, warm both tools up, then time them in
// alternating order (so neither always runs on a cache the other just warmed) and check after
// every pair of runs that they found the same changed objects.
import { compareChangedSets, type SetMismatch } from "./compare.js";
import { preparePlanScenario } from "./scenario.js";
import { runKubectlDiff, runSlipway, unifiedDiff, type BenchCluster, type KubectlRun, type SlipwayRun } from "./tools.js";

export interface PlanSizeResult {
  size: number;
  /** Objects the head revision changes. */
  edited: number;
  slipwaySeconds: number[];
  kubectlSeconds: number[];
  /** Per Slipway run, the warm-up included: peak RSS above the baseline, and the absolute peak. */
  rssDeltaMiB: number[];
  rssPeakMiB: number[];
  /** What disagreed; empty when every run of both tools found exactly the edited objects. */
  mismatches: string[];
}

export async function benchPlanSize(params: {
  size: number;
  runs: number;
  cluster: BenchCluster;
  workDir: string;
  log: (line: string) => void;
}): Promise<PlanSizeResult> {
  const { size, cluster, log } = params;
  log(`${size} objects: seeding the cluster`);
  const scenario = await preparePlanScenario({ size, kubeconfigPath: cluster.kubeconfigPath, workDir: params.workDir });
  const kubectlTarget = { kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, dir: scenario.headDir, scratchDir: scenario.scratchDir };
  const slipway = () => runSlipway({ kubeconfigPath: cluster.kubeconfigPath, ...scenario });
  const kubectl = () => runKubectlDiff(kubectlTarget);
  const result: PlanSizeResult = { size, edited: scenario.edited.size, slipwaySeconds: [], kubectlSeconds: [], rssDeltaMiB: [], rssPeakMiB: [], mismatches: [] };

  const record = async (label: string, s: SlipwayRun, k: KubectlRun) => {
    log(
      `${size} objects, ${label}: Slipway ${s.seconds.toFixed(2)} s ` +
        `(RSS +${(s.rss.peakMiB - s.rss.baselineMiB).toFixed(1)} MiB, peak ${s.rss.peakMiB.toFixed(1)}, maxRSS ${s.rss.maxRssMiB.toFixed(1)}), ` +
        `kubectl diff ${k.seconds.toFixed(2)} s; changed: Slipway ${s.changed.size}, kubectl ${k.changed.size}, edited ${scenario.edited.size}`,
    );
    // Memory counts the warm-up too: sizes run in ascending order, so it is the first run
    // that needs this much, before the heap has grown to fit it.
    result.rssDeltaMiB.push(s.rss.peakMiB - s.rss.baselineMiB);
    result.rssPeakMiB.push(s.rss.peakMiB);
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

  await record("warm-up", await slipway(), await kubectl());
  for (let run = 1; run <= params.runs; run++) {
    // Odd runs start with Slipway, even runs with kubectl.
    const kubectlFirst = run % 2 === 0 ? await kubectl() : undefined;
    const s = await slipway();
    const k = kubectlFirst ?? (await kubectl());
    result.slipwaySeconds.push(s.seconds);
    result.kubectlSeconds.push(k.seconds);
    await record(`run ${run}/${params.runs}`, s, k);
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
