// The results as markdown tables, to print and to paste into the README, with what they were
// measured on under each.
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import { scenarioTitle, type ApplySizeResult, type ScenarioResult } from "./apply-size.js";
import { median } from "./measure.js";
import type { PlanSizeResult } from "./plan-size.js";

export interface BenchSetup {
  date: string;
  machine: string;
  node: string;
  kubectl: string;
  runs: number;
  controllers: boolean;
}

/** What the numbers were measured on, printed under the table. */
export async function describeSetup(params: { kubectl: string; runs: number; controllers: boolean }): Promise<BenchSetup> {
  const { stdout } = await promisify(execFile)(params.kubectl, ["version", "--client", "-o", "json"]);
  const version = JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } };
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: describeMachine(),
    node: process.version,
    kubectl: version.clientVersion?.gitVersion ?? "unknown",
    runs: params.runs,
    controllers: params.controllers,
  };
}

/** `2 × AMD EPYC, 24 GiB`: cores, CPU model and memory. */
export function describeMachine(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB`;
}

/** bench:plan: one row per size; with --before-cli, the older build's time beside this one's. */
export function renderPlanTable(params: { results: PlanSizeResult[]; setup: BenchSetup }): string {
  const { setup } = params;
  const withBefore = params.results.some((result) => result.beforeSeconds.length > 0);
  const seconds = (values: number[]) => median(values).toFixed(2);
  const peak = (values: number[]) => Math.max(...values).toFixed(0);
  const rows = params.results.map((result) => {
    const slipway = median(result.slipwaySeconds);
    const kubectl = median(result.kubectlSeconds);
    const limit = median(result.limitSeconds);
    const matched = result.mismatches.length === 0 ? `yes (${result.edited} changed)` : `**NO** (${result.edited} edited)`;
    return [
      String(result.size),
      ...(withBefore ? [seconds(result.beforeSeconds)] : []),
      slipway.toFixed(2),
      kubectl.toFixed(2),
      `${limit.toFixed(2)} (${result.limitRequests} requests)`,
      `${(slipway / limit).toFixed(2)}×`,
      `${(slipway / kubectl).toFixed(2)}×`,
      `${withBefore ? `${peak(result.beforePeakMiB)} → ` : ""}${peak(result.slipwayPeakMiB)}`,
      peak(result.kubectlPeakMiB),
      matched,
    ];
  });
  const header = [
    "N objects",
    ...(withBefore ? ["`slipway plan` before (s)"] : []),
    "`slipway plan` (s)",
    "`kubectl diff --server-side` (s)",
    "API server's limit (s)",
    "Slipway ÷ limit",
    "Slipway ÷ kubectl",
    `Slipway peak RSS (MiB)${withBefore ? ": before → after" : ""}`,
    "kubectl peak RSS (MiB)",
    "changed sets match",
  ];
  return [
    `Plan of N objects (⅓ each Deployments, Services, ConfigMaps; half of them changed) against a local ` +
      `kube-apiserver${setup.controllers ? " with controllers" : " (no controllers)"}, each tool run as a new process on the same files: ` +
      `the built \`slipway plan --output json apps\` (\`node lib/bin/slipway.js\`, the package's bin, from a checkout whose .github/slipway.yml defines the environment) ` +
      `vs \`kubectl diff --server-side -f apps -R\` (kubectl's default --concurrency=1). Both keep their discovery caches between runs, as for a user; the warm-up fills them. ` +
      `The API server's limit: one LIST per kind and one server-side dry-run apply per object, 32 in flight over keep-alive connections (a fresh agent, so its TLS handshakes count), ` +
      `bodies serialised beforehand, answers read but not parsed: no plan of these objects can be faster. ` +
      `Times: median of ${plural(setup.runs, "run")} after one warm-up, order rotated. Peak RSS: GNU time's maximum resident set size, highest of all runs.`,
    "",
    ...markdownTable({ header, rows, align: (column) => (column === header.length - 1 ? "left" : "right") }),
    "",
    `${setup.date}; ${setup.machine}; Node ${setup.node}; kubectl ${setup.kubectl}.`,
    "",
  ].join("\n");
}

/** Issue 12's goal for an apply: within this factor of the API server's limit. */
export const applyGoalRatio = 1.25;

/** bench:apply: one row per size and scenario, and whether the goal was met; with --before-app, the other build beside. */
export function renderApplyTable(params: { results: ApplySizeResult[]; setup: BenchSetup }): string {
  const { setup } = params;
  const withBefore = params.results.some((result) => result.scenarios.some((scenario) => scenario.beforeSeconds.length > 0));
  const header = [
    "scenario",
    "N",
    ...(withBefore ? ["Slipway before (s)"] : []),
    "Slipway, push → check run completed (s)",
    "`kubectl apply --server-side` (s)",
    "API server's limit (s)",
    "Slipway ÷ limit",
    "Slipway ÷ kubectl",
    "notes",
  ];
  const rows = params.results.flatMap((result) =>
    result.scenarios.map((scenario) => {
      const limit = median(scenario.limitSeconds);
      return [
        scenarioTitle(scenario.id),
        String(result.size),
        ...(withBefore ? [`${median(scenario.beforeSeconds).toFixed(2)} (${ratio(scenario.beforeSeconds, scenario.limitSeconds)})`] : []),
        median(scenario.slipwaySeconds).toFixed(2),
        median(scenario.kubectlSeconds).toFixed(2),
        `${limit.toFixed(2)} (${scenario.limitRequests} requests)`,
        ratio(scenario.slipwaySeconds, scenario.limitSeconds),
        ratio(scenario.slipwaySeconds, scenario.kubectlSeconds),
        notes(result, scenario),
      ];
    }),
  );
  const goal = params.results.flatMap((result) =>
    result.scenarios
      .filter((scenario) => scenario.id !== "changed")
      .map((scenario) => {
        const times = medianRatio(scenario.slipwaySeconds, scenario.limitSeconds);
        return `${scenarioTitle(scenario.id)} of ${result.size}: ${times.toFixed(2)}×, ${times <= applyGoalRatio ? "met" : "**not met**"}`;
      }),
  );
  return [
    `Apply of N objects (⅓ each Deployments, Services, ConfigMaps) to a local kube-apiserver${setup.controllers ? " with controllers" : " (no controllers)"}, as users see it: ` +
      `the built app (\`npm run build\`, then \`node lib/server.js\` as \`npm start\` runs it, NODE_ENV=production, a policy file, JSON logs) as a server of its own, ` +
      `with GitHub played by a local fake that answers at once with GitHub's documented payloads (bench/lib/fake-github.ts; every request checked against GitHub's OpenAPI description afterwards). ` +
      `Timed from posting the signed push delivery to the arrival of the request that completes the \`slipway/apply (bench)\` check run: branch head, configuration, check run, deployment and its statuses, ` +
      `the commit's tarball, Lease, inventory, preflight dry-run of every object, the apply of what changed, and GitHub's write pacing. The server is warm, as a running server is: it discovered the API once, in the warm-up. ` +
      `vs \`kubectl apply --server-side --field-manager=slipway -f <dir> -R\` (a new process, fresh discovery cache per run, one request at a time). ` +
      `The API server's limit: a server-side dry-run apply of every object, then a real apply of each object that changes, 32 in flight over keep-alive connections, bodies serialised beforehand, answers not parsed. ` +
      `Every run starts with fresh namespaces, one per tool and one for the limit, holding the same objects; the files carry the labels and config hashes Slipway stamps, so all send the same bodies. ` +
      `Times: median of ${plural(setup.runs, "run")} after one warm-up run, the tools' order rotated per run, each Slipway run after 5 s without a job; ` +
      `ratios: the median of each run's ratio, the tools being timed within seconds of each other.`,
    "",
    ...markdownTable({ header, rows, align: (column) => (column === 0 || column === header.length - 1 ? "left" : "right") }),
    "",
    `Goal (issue 12), Slipway within ${applyGoalRatio}× of the limit: ${goal.join("; ")}. The app's peak RSS: ${params.results.map((result) => `${result.appPeakMiB.toFixed(0)} MiB at ${result.size} objects`).join(", ")}.`,
    "",
    `${setup.date}; ${setup.machine}; Node ${setup.node}; kubectl ${setup.kubectl}.`,
    "",
  ].join("\n");
}

/** The median of the runs' ratios a / b: each run's tools ran within seconds of each other, on the same load. */
const medianRatio = (a: number[], b: number[]) => median(a.map((value, index) => value / (b[index] ?? NaN)));
const ratio = (a: number[], b: number[]) => `${medianRatio(a, b).toFixed(2)}×`;

function notes(result: ApplySizeResult, scenario: ScenarioResult): string {
  if (scenario.mismatches.length > 0) return `**Slipway's check run differs** from what was changed: ${scenario.mismatches.join("; ")}`;
  switch (scenario.id) {
    case "first":
      return `all ${result.size} created`;
    case "unchanged":
      return `all ${result.size} unchanged`;
    case "changed": {
      const configured = result.edited.length + result.rehashed.length;
      return (
        `${configured} configured: ${result.edited.length} edited (${byKind(result.edited)}) + ${plural(result.rehashed.length, "Deployment")} ` +
        `whose ConfigMap was edited (config hash changed); ${result.size - configured} unchanged`
      );
    }
  }
}

/** `17 Deployments, 17 Services, 16 ConfigMaps` from display names `Kind/namespace/name`. */
function byKind(names: string[]): string {
  const counts = new Map<string, number>();
  for (const kind of names.map((name) => name.split("/")[0] ?? "")) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => plural(count, kind)).join(", ");
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

type Align = "left" | "right";

/** A markdown table, as the benchmarks print it and the README quotes it. */
export function markdownTable(params: { header: string[]; rows: string[][]; align: (column: number) => Align }): string[] {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(params.header), `|${params.header.map((_, column) => (params.align(column) === "right" ? "---:" : "---")).join("|")}|`, ...params.rows.map(line)];
}
