// Writing names into PromQL safely: a label value is a string literal, so a name holding a quote
// or a backslash must not end it early (`web"} or vector(100) #` would make any canary pass); in a
// regex matcher its RE2 metacharacters (the `.` of `web.v2`) must match themselves too.
// https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals
import { templatePattern, templateVariables, type TemplateVariable } from "../config/canary-schema.js";

/** The inside of a double-quoted PromQL string that reads as `value`. */
export function stringContent(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `value` as an RE2 pattern that matches exactly it (for the inside of a `=~` string, pass it through stringContent). */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/** `name="value"`, escaped. */
export const equals = (name: string, value: string): string => `${name}="${stringContent(value)}"`;

/** `name=~"pattern"`: the pattern is RE2 (fully anchored by Prometheus) written as a string literal. */
export const matches = (name: string, pattern: string): string => `${name}=~"${stringContent(pattern)}"`;

/** A range or offset in PromQL's units: 1m, 90s, 1500ms. */
export function promDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`a query window is a positive whole number of ms, not ${ms}`);
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export type TemplateResult = { ok: true; query: string } | { ok: false; message: string };

/**
 * A custom query with its `{{variable}}`s filled in. Values go in as string content (escaped), as
 * the query writes them inside quotes; `interval` is a duration and has nothing to escape. An
 * unknown variable is refused here too, for configurations that did not come through the schema.
 */
export function fillTemplate(query: string, values: Record<TemplateVariable, string>): TemplateResult {
  const unknown: string[] = [];
  const filled = query.replace(templatePattern, (written: string, name: string) => {
    if (Object.hasOwn(values, name)) return stringContent(values[name as TemplateVariable]);
    unknown.push(written);
    return written;
  });
  if (unknown.length > 0) {
    const known = templateVariables.map((name) => `{{${name}}}`).join(", ");
    return { ok: false, message: `unknown template variable ${unknown.join(", ")} in the query; known: ${known}` };
  }
  return { ok: true, query: filled };
}
