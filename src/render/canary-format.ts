// The words and numbers a canary is described with, the same in its check run, its replies to
// commands and its comment: values with their unit, thresholds, times, the weights ladder.
// Plain text: callers escape what they put into markdown.
import { canaryWeights, type CanaryConfig } from "../config/canary-schema.js";
import type { CanaryPhase, CanaryState, MetricResult } from "../canary/types.js";

/** 91.2, 99.95, 412: at most two decimals, no trailing zeros; a number Prometheus cannot give as such reads as itself. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";
  const rounded = Number(value.toFixed(2));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** "91.2 %", "412 ms", "0.3"; "no data" for a query that returned nothing. */
export function formatValue(value: number | null, unit?: string): string {
  if (value === null) return "no data";
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

/** "≥ 99 %", "≤ 500 ms", "≥ 1 and ≤ 5", or "none". */
export function formatThreshold(metric: Pick<MetricResult, "min" | "max" | "unit">): string {
  const bound = (sign: string, value: number) => `${sign} ${formatValue(value, metric.unit)}`;
  const parts = [metric.min !== undefined && bound("≥", metric.min), metric.max !== undefined && bound("≤", metric.max)].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(" and ") : "none";
}

/** "success rate 91.2 % < 99 %": a failing metric against the bound it broke. */
export function describeBreach(metric: MetricResult): string {
  const value = formatValue(metric.value, metric.unit);
  if (metric.value !== null && metric.min !== undefined && metric.value < metric.min) return `${metric.name} ${value} < ${formatValue(metric.min, metric.unit)}`;
  if (metric.value !== null && metric.max !== undefined && metric.value > metric.max) return `${metric.name} ${value} > ${formatValue(metric.max, metric.unit)}`;
  return `${metric.name} ${value}`;
}

/** "12:03:05 UTC" on the day of `now`, "2024-05-02 12:03 UTC" on another; a broken timestamp says so. */
export function formatTime(at: string | number, now: number): string {
  const time = typeof at === "number" ? at : Date.parse(at);
  if (!Number.isFinite(time)) return "an unknown time";
  const iso = new Date(time).toISOString();
  const sameDay = Number.isFinite(now) && iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? `${iso.slice(11, 19)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "in 45 s", "in 3 min", "in 2 h", or "due now". */
export function formatIn(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  if (!Number.isFinite(seconds) || seconds <= 0) return "due now";
  if (seconds < 120) return `in ${seconds} s`;
  if (seconds < 2 * 3600) return `in ${Math.round(seconds / 60)} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}

/** "1m", "1m30s", "2h": an interval as a person wrote it in the configuration. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join("") || "0s";
}

/** The rung of the ladder a canary stands on: a step's index, the promotion, or none yet. */
export function ladderPosition(state: Pick<CanaryState, "phase" | "stepIndex">): number | "promote" | undefined {
  switch (state.phase) {
    case "starting":
    case "preflight":
      return undefined;
    case "promoting":
    case "finalising":
    case "succeeded":
      return "promote";
    case "progressing":
    case "awaiting-promotion":
    case "paused":
    case "rolling-back":
    case "failed":
    case "aborted":
    case "superseded":
      return state.stepIndex;
  }
}

/**
 * `5 → 10 → **25** → 50 → promote (manual)`: the weights in percent, the current one in bold.
 * Markdown, made only of numbers and fixed words.
 */
export function renderLadder(state: Pick<CanaryState, "phase" | "stepIndex">, config: Pick<CanaryConfig, "steps" | "promotion">): string {
  const position = ladderPosition(state);
  const bold = (text: string, on: boolean) => (on ? `**${text}**` : text);
  const rungs = canaryWeights(config.steps).map((weight, index) => bold(String(weight), position === index));
  const promote = bold(config.promotion === "manual" ? "promote (manual)" : "promote", position === "promote");
  return [...rungs, promote].join(" → ");
}

/** "step 3 of 4" (1-based, as people count). */
export function stepWords(state: Pick<CanaryState, "stepIndex">, config: Pick<CanaryConfig, "steps">): string {
  const steps = canaryWeights(config.steps).length;
  return `step ${Math.min(state.stepIndex + 1, steps)} of ${steps}`;
}

/** How a canary that ended is told: "the canary of `web` was promoted". */
export const finalPhaseWords: Record<Extract<CanaryPhase, "succeeded" | "failed" | "aborted" | "superseded">, string> = {
  succeeded: "was promoted",
  failed: "was rolled back",
  aborted: "was aborted",
  superseded: "was superseded by a newer merge",
};
