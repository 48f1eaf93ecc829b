// The results as a markdown table, to print and to paste into the README.
import type { PlanSizeResult } from "./plan-size.js";
import { markdownTable } from "./markdown-table.js";
import { median } from "./measure.js";

export interface BenchSetup {
  date: string;
  machine: string;
  node: string;
  kubectl: string;
  runs: number;
  controllers: boolean;
}

export function renderTable(params: { results: PlanSizeResult[]; setup: BenchSetup }): string {
  const { setup } = params;
  const rows = params.results.map((result) => {
    const slipway = median(result.slipwaySeconds);
    const kubectl = median(result.kubectlSeconds);
    const matched = result.mismatches.length === 0 ? `yes (${result.edited} changed)` : `**NO** (${result.edited} edited)`;
    return [
      String(result.size),
      slipway.toFixed(2),
      kubectl.toFixed(2),
      `${(kubectl / slipway).toFixed(1)}×`,
      `+${Math.max(...result.rssDeltaMiB).toFixed(1)} (${Math.max(...result.rssPeakMiB).toFixed(1)})`,
      matched,
    ];
  });
  const header = ["N objects", "Slipway median (s)", "kubectl diff median (s)", "ratio (kubectl/Slipway)", "Slipway peak RSS (MiB): over baseline (absolute)", "changed sets match"];
  return [
    `Plan of N objects (⅓ each Deployments, Services, ConfigMaps; half of them changed) against a local ` +
      `kube-apiserver${setup.controllers ? " with controllers" : " (no controllers)"}: Slipway's \`planEnvironment\` ` +
      `(fresh client and discovery per run, 32 requests in flight) vs \`kubectl diff --server-side\` ` +
      `(fresh discovery cache per run, kubectl's default --concurrency=1). Times: median of ${setup.runs} runs after one warm-up each, order alternated. ` +
      `Memory: highest RSS sampled every 20 ms during any Slipway run, above the RSS before it (after a full GC), and absolute.`,
    "",
    ...markdownTable({ header, rows, align: (column) => (column === header.length - 1 ? "left" : "right") }),
    "",
    `${setup.date}; ${setup.machine}; Node ${setup.node}; kubectl ${setup.kubectl}.`,
    "",
  ].join("\n");
}
