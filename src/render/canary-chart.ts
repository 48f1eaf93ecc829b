// A canary's checks as pictures: Unicode sparklines, which read anywhere (check runs, replies,
// terminals), and a Mermaid xychart for pull request comments. GitHub renders Mermaid "in
// GitHub Issues, GitHub Discussions, pull requests, wikis, and Markdown files"
// (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams);
// check run output is not among them, so the check run shows sparklines only.
import type { CanaryState, CheckRecord, MetricResult } from "../canary/types.js";
import { codeFence } from "./escape.js";
import { formatNumber } from "./canary-format.js";

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/** A check without a value for the series: a gap, not a zero. */
export const SPARKLINE_GAP = "·";

export interface SparklineOptions {
  /** The bottom of the scale; the lowest value when not given. */
  min?: number;
  /** The top of the scale; the highest value when not given. */
  max?: number;
}

/**
 * One bar per value, scaled between `min` and `max` (the values' own range by default, widened
 * to include the options): `▁▂▄█`. null and NaN are gaps (`·`); +∞ is a full bar, -∞ an empty one.
 * Values that are all equal, with no range given, sit in the middle.
 */
export function sparkline(values: ReadonlyArray<number | null>, options: SparklineOptions = {}): string {
  const finite = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const low = Math.min(...finite, ...(options.min === undefined ? [] : [options.min]));
  const high = Math.max(...finite, ...(options.max === undefined ? [] : [options.max]));
  return values
    .map((value) => {
      if (value === null || Number.isNaN(value)) return SPARKLINE_GAP;
      if (value === Infinity) return BARS[BARS.length - 1];
      if (value === -Infinity) return BARS[0];
      if (!(high > low)) return BARS[3];
      const index = Math.round(((value - low) / (high - low)) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, index))];
    })
    .join("");
}

/** Each metric's values over the checks, by name, in the order the metrics first appear. */
export function metricSeries(checks: readonly CheckRecord[]): Array<{ name: string; latest: MetricResult; values: Array<number | null> }> {
  const names = [...new Set(checks.flatMap((check) => check.metrics.map((metric) => metric.name)))];
  return names.flatMap((name) => {
    const results = checks.map((check) => check.metrics.find((metric) => metric.name === name));
    const latest = results.filter((result): result is MetricResult => result !== undefined).at(-1);
    return latest ? [{ name, latest, values: results.map((result) => result?.value ?? null) }] : [];
  });
}

/**
 * The success rate among a check's metrics: the one named so (`success rate`, `successRate`,
 * `request-success-rate`), else the first measured in percent.
 */
export function successRateOf(check: CheckRecord): MetricResult | undefined {
  return check.metrics.find((metric) => /success[\s_-]*rate/i.test(metric.name)) ?? check.metrics.find((metric) => metric.unit === "%");
}

/**
 * A Mermaid `xychart-beta` of the canary's weight (bars) and success rate (line) over its
 * checks, with the success rate's lower bound as a second line; empty when fewer than two
 * checks have a success rate. Checks without one are left out (Mermaid has no gaps), and the
 * chart holds only numbers and fixed words, so nothing in it comes from a user.
 */
export function renderCanaryChart(state: Pick<CanaryState, "checks">): string {
  const points = state.checks.flatMap((check) => {
    const rate = successRateOf(check);
    return rate?.value !== null && rate?.value !== undefined && Number.isFinite(rate.value) ? [{ check, rate }] : [];
  });
  if (points.length < 2) return "";
  const list = (values: number[]) => `[${values.map(formatNumber).join(", ")}]`;
  const clock = (check: CheckRecord, end: number) => (Number.isFinite(Date.parse(check.at)) ? new Date(check.at).toISOString().slice(11, end) : "?");
  const minutes = points.map(({ check }) => clock(check, 16));
  // Checks less than a minute apart need their seconds to tell them apart.
  const labels = (new Set(minutes).size === minutes.length ? minutes : points.map(({ check }) => clock(check, 19))).map((label) => `"${label}"`);
  const rates = points.map(({ rate }) => rate.value ?? 0);
  // Percentages, but a query can return anything: the axis widens to show every point.
  const [floor, ceiling] = [Math.min(0, ...rates), Math.max(100, ...rates)];
  const lines = [
    "xychart-beta",
    '    title "Canary weight (bars) and success rate (line), in %"',
    `    x-axis "Check (UTC)" [${labels.join(", ")}]`,
    `    y-axis "%" ${formatNumber(floor)} --> ${formatNumber(ceiling)}`,
    `    bar ${list(points.map(({ check }) => check.weight))}`,
    `    line ${list(rates)}`,
  ];
  const bound = points.at(-1)?.rate.min;
  if (bound !== undefined) lines.push(`    line ${list(points.map(() => bound))}`);
  return codeFence(lines.join("\n"), "mermaid");
}
