// The metrics part of a `canary:` entry: what is refused, on which line, before any query is sent.
import { describe, expect, it } from "vitest";
import { canarySchema, unknownTemplateVariables } from "../../src/config/canary-schema.js";
import { parseRepoConfig } from "../../src/config/load.js";

/** A configuration whose one canary has these `metrics:` lines (indented under it, from line 9). */
const withMetrics = (...lines: string[]) =>
  [
    "environments:",
    "  - name: prod",
    "    paths: [a]",
    "    canary:",
    "      - workload: Deployment/web",
    "        service: web",
    "        router: { type: istio, virtualService: web }",
    "        metrics:",
    ...lines.map((line) => `          ${line}`),
    "",
  ].join("\n");

describe("canary metrics in .github/slipway.yml", () => {
  it("accepts custom queries that use the template variables, in either spacing, with a unit", () => {
    const result = parseRepoConfig(
      withMetrics("custom:", '  - name: queue-depth', '    query: max(queue{namespace="{{ namespace }}",pod=~"{{canary}}-.*"}[{{interval}}])', "    max: 100", "    unit: jobs"),
    );
    expect(result.ok && result.config.environments[0]?.canary[0]?.metrics.custom).toEqual([
      { name: "queue-depth", query: 'max(queue{namespace="{{ namespace }}",pod=~"{{canary}}-.*"}[{{interval}}])', max: 100, unit: "jobs" },
    ]);
  });

  it.each([
    {
      what: "an unknown template variable, naming it and the known ones",
      lines: ["custom:", "  - name: x", '    query: sum(rate(x{job="{{ target }}"}[{{window}}]))', "    max: 1"],
      line: 11,
      message: /custom\.0\.query: unknown template variable \{\{ target \}\}, \{\{window\}\}; known: \{\{namespace\}\}, \{\{workload\}\}, \{\{canary\}\}, \{\{primary\}\}, \{\{service\}\}, \{\{interval\}\}/,
    },
    { what: "a custom metric named like a builtin", lines: ["custom:", "  - name: success-rate", "    query: vector(1)", "    min: 1"], line: 10, message: /custom\.0\.name: a builtin metric's name/ },
    { what: "min above max", lines: ["custom:", "  - name: x", "    query: vector(1)", "    min: 5", "    max: 1"], line: 12, message: /custom\.0\.min: min is above max/ },
    { what: "no threshold", lines: ["custom:", "  - name: x", "    query: vector(1)"], line: 10, message: /give min, max or both/ },
    {
      what: "two custom metrics of one name",
      lines: ["custom:", "  - name: x", "    query: vector(1)", "    min: 1", "  - name: x", "    query: vector(2)", "    min: 1"],
      line: 13,
      message: /custom\.1\.name: two custom metrics are named x/,
    },
    { what: "an unknown telemetry", lines: ["telemetry: linkerd"], line: 9, message: /metrics\.telemetry/ },
  ])("refuses $what, on its line", ({ lines, line, message }) => {
    const result = parseRepoConfig(withMetrics(...lines));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.findings[0]?.position).toMatchObject({ file: ".github/slipway.yml", line });
    expect(result.findings[0]?.message).toMatch(message);
  });

  it("gives every parse its own defaults: pushing to one canary's custom metrics changes no other", () => {
    const parse = () => canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "istio", virtualService: "web" } });
    const [one, two] = [parse(), parse()];
    one.metrics.custom.push({ name: "x", query: "vector(1)", min: 1 });
    expect(two.metrics).toEqual({ telemetry: "istio", successRate: { min: 99 }, latencyP99: { max: 500 }, custom: [] });
  });

  it("finds every {{...}} that is not a template variable, as written", () => {
    expect(unknownTemplateVariables("{{namespace}} {{ canary }} {{}} {{ Namespace }} {{a b}} { {interval} }")).toEqual(["{{}}", "{{ Namespace }}", "{{a b}}"]);
  });
});
