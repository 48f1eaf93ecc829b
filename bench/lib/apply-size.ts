// One size of the apply benchmark. Each run (one untimed warm-up first) gets two fresh
// namespaces, one per tool, and goes through the three scenarios in both; the tools' order
// alternates per run, so neither always runs on a cache the other just warmed.
import type { ApplyAction } from "../../src/apply/types.js";
import { CheckFailed, checkApplied, checkNamespaceHolds, countActions, unexpectedActions } from "./compare.js";
import { describeTally } from "./measure.js";
import { prepareApplyRun, type ApplyRunSetup, type ToolNamespace } from "./scenario.js";
import { connect, runKubectlApply, runSlipwayApply, type BenchCluster, type KubectlApplyRun, type SlipwayApplyRun } from "./tools.js";

export type ScenarioId = "first" | "unchanged" | "changed";

interface Scenario {
  id: ScenarioId;
  title: string;
  revision: "beforeDir" | "afterDir";
  /** The action Slipway's report must give each object (by display name). */
  expected: (setup: ApplyRunSetup) => (name: string) => ApplyAction;
}

const scenarios: Scenario[] = [
  { id: "first", title: "first apply", revision: "beforeDir", expected: () => () => "created" },
  // A new commit of the same files, as the next push that changes something else would be.
  { id: "unchanged", title: "re-apply, nothing changed", revision: "beforeDir", expected: () => () => "unchanged" },
  {
    id: "changed",
    title: "re-apply, 10% changed",
    revision: "afterDir",
    expected: (setup) => (name) => (setup.edited.has(name) || setup.rehashed.has(name) ? "configured" : "unchanged"),
  },
];

export const scenarioTitle = (id: ScenarioId) => scenarios.find((scenario) => scenario.id === id)?.title ?? id;

export interface ScenarioResult {
  id: ScenarioId;
  slipwaySeconds: number[];
  kubectlSeconds: number[];
  /** Per Slipway run, the warm-up included: peak RSS above the baseline, and the absolute peak. */
  rssDeltaMiB: number[];
  rssPeakMiB: number[];
  /** Where Slipway's report disagreed with what the benchmark changed; empty when it never did. */
  mismatches: string[];
}

export interface ApplySizeResult {
  size: number;
  /** Names of the objects the 10% revision edits, and of the Deployments it changes through their config hash only. */
  edited: string[];
  rehashed: string[];
  scenarios: ScenarioResult[];
}

export async function benchApplySize(params: { size: number; runs: number; cluster: BenchCluster; workDir: string; log: (line: string) => void }): Promise<ApplySizeResult> {
  const { size, cluster, log } = params;
  const results: ScenarioResult[] = scenarios.map(({ id }) => ({ id, slipwaySeconds: [], kubectlSeconds: [], rssDeltaMiB: [], rssPeakMiB: [], mismatches: [] }));
  let setup: ApplyRunSetup | undefined;
  // For the checks only, never inside a timed run.
  const checker = await connect(cluster.kubeconfigPath);
  try {
    for (let run = 0; run <= params.runs; run++) {
      const label = run === 0 ? "warm-up" : `run ${run}/${params.runs}`;
      setup = await prepareApplyRun({ size, label: run === 0 ? "w" : `r${run}`, kubeconfigPath: cluster.kubeconfigPath, workDir: params.workDir });
      const current = setup;
      for (const [index, scenario] of scenarios.entries()) {
        const what = `${size} objects, ${label}, ${scenario.title}`;
        const slipway = () => runSlipwayApply({ kubeconfigPath: cluster.kubeconfigPath, namespace: current.slipway.namespace, dir: current.slipway[scenario.revision], commit: `bench-${index + 1}` });
        const kubectl = () => runKubectlApply({ kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, dir: current.kubectl[scenario.revision], scratchDir: current.kubectl.scratchDir });
        // Odd runs start with Slipway, even runs (the warm-up too) with kubectl.
        const kubectlFirst = run % 2 === 0 ? await kubectl() : undefined;
        const s = await slipway();
        const k = kubectlFirst ?? (await kubectl());
        log(describeRun(what, s, k));

        checkApplied(s.report, what);
        if (k.applied !== size) throw new CheckFailed(`${what}: kubectl reported ${k.applied} objects serverside-applied, not ${size}`);
        if (scenario.id === "first") {
          await checkNamespaceHolds(checker.store, { ...namespaceOf(current.slipway), what: `${what}, Slipway` });
          await checkNamespaceHolds(checker.store, { ...namespaceOf(current.kubectl), what: `${what}, kubectl` });
        }
        const result = results[index] as ScenarioResult;
        const mismatches = unexpectedActions(s.report, scenario.expected(current), size);
        if (mismatches.length > 0) log(`MISMATCH (${what}): Slipway's report is not what the benchmark changed:\n  ${mismatches.join("\n  ")}`);
        result.mismatches.push(...mismatches.filter((line) => !result.mismatches.includes(line)));
        // Memory counts the warm-up too: it is the first run that needs this much.
        result.rssDeltaMiB.push(s.rss.peakMiB - s.rss.baselineMiB);
        result.rssPeakMiB.push(s.rss.peakMiB);
        if (run === 0) continue;
        result.slipwaySeconds.push(s.seconds);
        result.kubectlSeconds.push(k.seconds);
      }
    }
  } finally {
    checker.client.close();
  }
  return { size, edited: [...(setup?.edited ?? [])], rehashed: [...(setup?.rehashed ?? [])], scenarios: results };
}

const namespaceOf = (side: ToolNamespace) => ({ namespace: side.namespace, objects: side.objects });

function describeRun(what: string, s: SlipwayApplyRun, k: KubectlApplyRun): string {
  return (
    `${what}: Slipway ${s.seconds.toFixed(2)} s (${countActions(s.report)}; RSS +${(s.rss.peakMiB - s.rss.baselineMiB).toFixed(1)} MiB, ` +
    `peak ${s.rss.peakMiB.toFixed(1)}), kubectl apply ${k.seconds.toFixed(2)} s (${k.applied} objects)\n    Slipway's requests: ${describeTally(s.requests)}`
  );
}
