// Counters and histograms written in Prometheus's text exposition format (version 0.0.4):
// https://prometheus.io/docs/instrumenting/exposition_formats/
// Hand-written because the backends need two families and no registry, and a series appears
// only once it has been observed, as in Istio's proxies: a workload without traffic has none.

export type Labels = Record<string, string>;

export class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.series.set(key, entry);
  }

  write(): string {
    if (this.series.size === 0) return "";
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, entry] of this.series) lines.push(`${this.name}${key} ${entry.value}`);
    return lines.join("\n") + "\n";
  }
}

export class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  /** Upper bounds, ascending, without +Inf (always added). */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    const entry = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((bound, index) => {
      if (value <= bound) entry.counts[index] = (entry.counts[index] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
    this.series.set(key, entry);
  }

  write(): string {
    if (this.series.size === 0) return "";
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, entry] of this.series) {
      // Bucket counts are cumulative: observe() counts a value in every bucket it fits.
      this.buckets.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${labelText({ ...entry.labels, le: String(bound) })} ${entry.counts[index] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...entry.labels, le: "+Inf" })} ${entry.count}`);
      lines.push(`${this.name}_sum${key} ${entry.sum}`);
      lines.push(`${this.name}_count${key} ${entry.count}`);
    }
    return lines.join("\n") + "\n";
  }
}

/** `{a="1",b="2"}`, or nothing without labels; values escaped as the format asks. */
export function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** What Prometheus 3 requires of a scrape's Content-Type (it no longer guesses). */
export const textFormatContentType = "text/plain; version=0.0.4; charset=utf-8";
