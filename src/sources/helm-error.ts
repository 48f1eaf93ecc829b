// A failed `helm template` as a finding on the file that caused it: a template's name and line
// (`shop/templates/deployment.yaml:20:23`, Helm 4; `template: shop/templates/x.yaml:20:23:`,
// Helm 3), a template whose output is not YAML (`YAML parse error on shop/templates/x.yaml`), a
// values file that does not parse (`failed to parse values.yaml`); else the chart's Chart.yaml.
import { posix } from "node:path";
import { sourceFinding, type SourceFinding } from "./findings.js";
import type { HelmChart } from "./helm-chart.js";
import { helmTemplateOrigin } from "./helm-source-path.js";

export function helmErrorFinding(params: { stderr: string; chart: HelmChart; values: string[]; isFile: (path: string) => boolean }): SourceFinding {
  const { chart, isFile } = params;
  const text = params.stderr
    .trim()
    .replace(/^Error: /, "")
    .replace(/\n*Use --debug flag to render out invalid YAML\s*$/, "");
  const message = `helm could not render the chart ${chart.dir}: ${text}`;
  const escaped = chart.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const template = new RegExp(`(?:^|[\\s:])(${escaped}/[^\\s:]+)(?::(\\d+))?`).exec(text);
  if (template) {
    const origin = helmTemplateOrigin(template[1]!, chart, isFile);
    // A line is the template's only while the file is the template itself.
    const line = template[2] && !origin.inside ? Number(template[2]) : 1;
    return sourceFinding("render-failed", message, { file: origin.file, line });
  }
  const values = /failed to parse ([^\s:]+):/.exec(text)?.[1];
  const valuesFile = values ? params.values.map((file) => posix.normalize(file)).find((file) => file === posix.normalize(values)) : undefined;
  if (valuesFile) return sourceFinding("render-failed", message, { file: valuesFile, line: Number(/\byaml: line (\d+)/.exec(text)?.[1] ?? 1) });
  return sourceFinding("render-failed", message, { file: posix.join(chart.dir, "Chart.yaml"), line: 1 });
}
