// bench/results/canary.md from one run of `npm run bench:canary`: whether checks came when due,
// what one check costs, and the GitHub requests the check runs take, per canary and hour.
import { CHECK_HISTORY } from "../../src/canary/progress.js";
import { defaultWorkQueueOptions } from "../../src/jobs/queue.js";
import { checkLateness, gateReachedAt, percentile } from "./canary-measure.js";
import type { CanaryBenchResult } from "./canary-run.js";
import { describeMachine, markdownTable } from "./tables.js";

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : "—");
const spread = (values: number[]) => `${ms(percentile(values, 0.5))} / ${ms(percentile(values, 0.99))} / ${ms(Math.max(...values))}`;
const right = () => "right" as const;

export function renderCanaryTable(result: CanaryBenchResult): string {
  const { options, states } = result;
  const intervalMs = options.intervalSeconds * 1000;
  const lateness = states.flatMap(checkLateness);
  const missed = lateness.filter((late) => late >= intervalMs).length;
  const checkTicks = result.ticks.filter((tick) => tick.queries > 0);
  const otherTicks = result.ticks.filter((tick) => tick.queries === 0);
  const perCanary = states.map((state) => state.checks.length);
  const capped = perCanary.some((count) => count >= CHECK_HISTORY);
  const phases = [...new Set(states.map((state) => state.phase))].map((phase) => `${states.filter((state) => state.phase === phase).length} ${phase}`).join(", ");

  const lines = [
    `${options.canaries} canaries at once in one process, checks every ${options.intervalSeconds} s, for ${(result.measuredMs / 1000).toFixed(0)} s from their start: Slipway's CanaryService ticking them on a WorkQueue with the server's default pools (canary: ${defaultWorkQueueOptions.concurrency.canary} at a time), against a local control plane with its controllers (kwok: pods become ready), the Gateway API CRDs and a real Prometheus 3.16 scraping ${options.canaries * 2} backends every ${options.scrapeIntervalSeconds} s (query window ${Math.max(options.intervalSeconds, 4 * options.scrapeIntervalSeconds)} s). Each workload gets ${options.rate} requests a second from a router following its HTTPRoute, in a process of its own. Each canary: steps of 10 % to 90 %, then a manual gate where the checks go on; 3 queries a check (requests, success rate, p99). At the end: ${phases}; ${result.promotions} promotions asked.`,
    "",
    "**Checks on time?** Lateness of a check: when its tick read the time against when it was due (the previous check, or the first step's start, plus the interval).",
    "",
    ...markdownTable({
      header: ["checks", "per canary (min–max)", "lateness p50 / p99 / max (ms)", "later than one interval (missed)"],
      rows: [[String(lateness.length), `${Math.min(...perCanary)}–${Math.max(...perCanary)}${capped ? " (history capped)" : ""}`, spread(lateness), String(missed)]],
      align: right,
    }),
    "",
    "**Cost of one check** (a tick that queried Prometheus) and of the other ticks, as counted inside each tick:",
    "",
    ...markdownTable({
      header: ["ticks", "count", "Prometheus queries (median, max)", "Kubernetes requests (median, max)", "duration p50 / p99 / max (ms)", "queries' wall time p50 / p99 (ms)", "waited for a slot p50 / p99 / max (ms)"],
      rows: [tickRow("checks (the preflight's included)", checkTicks), tickRow("others (starting, moving weights)", otherTicks)],
      align: (column) => (column === 0 ? "left" : "right"),
    }),
    "",
    `One Prometheus query: ${spread(result.prometheusLatenciesMs)} ms (p50 / p99 / max, ${result.prometheusLatenciesMs.length} queries). Kubernetes requests of the controller during the run (starting the canaries included): ${[...result.kubeRequestsByKind].sort(([, a], [, b]) => b - a).map(([kind, count]) => `${count} ${kind}`).join(", ")}.`,
    "",
    "**GitHub requests per canary per hour** that the check runs take (a counting fake client; the check run is sent when its rendered output changes):",
    "",
    ...markdownTable({ header: ["phase", "canary-hours measured", "checks.create", "checks.update", "requests per canary per hour"], rows: githubRows(result), align: (column) => (column === 0 ? "left" : "right") }),
    "",
    `${new Date(result.startedAt).toISOString().slice(0, 10)}; ${describeMachine()}; Node ${process.version}. The two cores were shared with other sessions running tests: load average ${result.loadAverage.before.toFixed(1)} before, ${result.loadAverage.after.toFixed(1)} after. The bench process used ${result.cpuPercent.toFixed(0)} % of one core; its event loop's delay p50 / p99 / max: ${result.eventLoopDelayMs.p50.toFixed(0)} / ${result.eventLoopDelayMs.p99.toFixed(0)} / ${result.eventLoopDelayMs.max.toFixed(0)} ms.${result.warnings.length > 0 ? ` ${result.warnings.length} warnings, the first: ${result.warnings[0]}` : ""}`,
    "",
  ];
  return lines.join("\n");
}

function tickRow(what: string, ticks: CanaryBenchResult["ticks"]): string[] {
  const medianMax = (values: number[]) => `${percentile(values, 0.5)}, ${Math.max(...values)}`;
  if (ticks.length === 0) return [what, "0", "—", "—", "—", "—", "—"];
  return [
    what,
    String(ticks.length),
    medianMax(ticks.map((tick) => tick.queries)),
    medianMax(ticks.map((tick) => tick.kubeRequests)),
    spread(ticks.map((tick) => tick.endedAt - tick.startedAt)),
    ticks.some((tick) => tick.queries > 0) ? `${ms(percentile(ticks.map((tick) => tick.queryWallMs), 0.5))} / ${ms(percentile(ticks.map((tick) => tick.queryWallMs), 0.99))}` : "—",
    spread(ticks.map((tick) => tick.startedAt - tick.enqueuedAt)),
  ];
}

/** Requests before and after each canary reached the gate, over the time it spent in each. */
function githubRows(result: CanaryBenchResult): string[][] {
  const end = result.startedAt + result.measuredMs;
  const phases = { "starting to the last step": { hours: 0, create: 0, update: 0 }, "at the manual gate (checks go on)": { hours: 0, create: 0, update: 0 } };
  for (const state of result.states) {
    const gate = gateReachedAt(state) ?? end;
    const name = `slipway/canary (${state.environment}/${state.workload})`;
    phases["starting to the last step"].hours += (gate - result.startedAt) / 3_600_000;
    phases["at the manual gate (checks go on)"].hours += (end - gate) / 3_600_000;
    for (const request of result.github.filter((candidate) => candidate.name === name)) {
      const phase = phases[request.at < gate ? "starting to the last step" : "at the manual gate (checks go on)"];
      if (request.method === "checks.create") phase.create += 1;
      else phase.update += 1;
    }
  }
  return Object.entries(phases).map(([phase, counts]) => [
    phase,
    counts.hours.toFixed(2),
    String(counts.create),
    String(counts.update),
    counts.hours > 0 ? ((counts.create + counts.update) / counts.hours).toFixed(0) : "—",
  ]);
}
