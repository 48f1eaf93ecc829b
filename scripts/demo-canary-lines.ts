// What `npm run demo -- --canary` prints while a canary runs: a line when its phase, step or
// message changes (the check run's title, and the controller's message), a line per check with
// each metric against its threshold, and at the end the check run's sparklines. Pure: takes
// states, returns lines.
import type { CanaryConfig } from "../src/config/canary-schema.js";
import type { CanaryState, CheckRecord, Verdict } from "../src/canary/types.js";
import { metricSeries, sparkline } from "../src/render/canary-chart.js";
import { formatThreshold, formatTime, formatValue } from "../src/render/canary-format.js";
import { canaryTitle } from "../src/render/canary-title.js";

const marks: Record<Verdict, string> = { pass: "✅", fail: "❌", "no-data": "⏳", error: "⚠️" };

/** The lines a new state adds to what `previous` printed: a transition, then its new checks. */
export function canaryProgressLines(previous: CanaryState | undefined, state: CanaryState, now: number): string[] {
  const lines: string[] = [];
  const known = previous?.checks.length ?? 0;
  // The history is capped (CHECK_HISTORY): new checks are the ones after the last one printed.
  const lastSeen = previous?.checks.at(-1)?.at;
  const fresh = lastSeen === undefined ? state.checks.slice(known) : state.checks.filter((check) => check.at > lastSeen);
  for (const check of fresh) lines.push(checkLine(check, now));
  const moved = !previous || previous.phase !== state.phase || previous.stepIndex !== state.stepIndex || previous.message !== state.message;
  if (moved) lines.push(`  ${state.phase.padEnd(18)} ${canaryTitle(state, state.config, { commandHint: false })}${state.message ? `\n  ${"".padEnd(18)} ${state.message}` : ""}`);
  return lines;
}

/** `  check 21:40:03 UTC  step 1 at 20 %  48 requests  success-rate 100 % (≥ 95 %) ✅ …  → pass`. */
export function checkLine(check: CheckRecord, now: number): string {
  const metrics = check.metrics.map((metric) => `${metric.name} ${formatValue(metric.value, metric.unit)} (${formatThreshold(metric)}) ${marks[metric.verdict]}`);
  // increase() extrapolates to the window's edges: 24.37 requests reads as 24.
  const requests = check.requests === null ? "no request count" : `${Math.round(check.requests)} requests`;
  return `  ${"check".padEnd(18)} ${formatTime(check.at, now)}  step ${check.stepIndex + 1} at ${check.weight} %  ${requests}  ${metrics.join("  ")}  → ${check.verdict}`;
}

/** The check run's trend: the weight and each metric over the checks, oldest first, as sparklines. */
export function trendLines(state: CanaryState, config: Pick<CanaryConfig, "threshold">): string[] {
  const width = Math.max(6, ...metricSeries(state.checks).map(({ name }) => name.length));
  const row = (name: string, line: string, latest: string, threshold: string) => `  ${name.padEnd(width)}  ${line}  latest ${latest}, threshold ${threshold}`;
  return [
    `  over ${state.checks.length} checks (${config.threshold} failed checks roll back), oldest → newest:`,
    row("weight", sparkline(state.checks.map((check) => check.weight), { min: 0, max: 100 }), `${state.checks.at(-1)?.weight ?? 0} %`, "0 – 100 %"),
    ...metricSeries(state.checks).map(({ name, latest, values }) =>
      row(name, sparkline(values, { ...(latest.min !== undefined ? { min: latest.min } : {}), ...(latest.max !== undefined ? { max: latest.max } : {}) }), formatValue(latest.value, latest.unit), formatThreshold(latest)),
    ),
  ];
}
