// helm names a template by its chart's name, not its directory: `shop/templates/x.yaml`,
// `shop/charts/cache/templates/y.yaml` for a subchart, `shop/crds/z.yaml` for a CRD. This maps such
// a name to the repository file a person edits; a template inside a vendored archive maps to the
// archive, with the name inside it.
import { posix } from "node:path";
import type { HelmChart } from "./helm-chart.js";
import type { RenderOrigin } from "./types.js";

export function helmTemplateOrigin(name: string, chart: HelmChart, isFile: (path: string) => boolean): RenderOrigin {
  const chartFile = { file: posix.join(chart.dir, "Chart.yaml"), via: "template" as const, inside: name };
  const prefix = `${chart.name}/`;
  if (!name.startsWith(prefix)) return chartFile;
  const rest = name.slice(prefix.length);
  const direct = posix.normalize(posix.join(chart.dir, rest));
  if (!direct.startsWith("../") && isFile(direct)) return { file: direct, via: "template" };
  // charts/<subchart name>/…: the subchart's directory may be named otherwise, or be an archive.
  const sub = /^charts\/([^/]+)\/(.*)$/.exec(rest);
  const subchart = sub ? chart.subcharts.get(sub[1]!) : undefined;
  if (!sub || !subchart) return chartFile;
  if (subchart.archive) return { file: subchart.path, via: "template", inside: name };
  const file = posix.join(subchart.path, sub[2]!);
  return isFile(file) ? { file, via: "template" } : { file: subchart.path, via: "template", inside: name };
}
