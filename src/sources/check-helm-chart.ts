// Reads a Helm source before helm runs and refuses what Slipway never lets it do: fetch a chart's
// dependencies (each must be vendored under charts/; `helm dependency build` is never run), read
// values from a URL or from outside the repository, or follow a symlink out of it. What it reads
// is also what the source depends on: the chart's directory and the values files.
import { lstat, readdir, realpath } from "node:fs/promises";
import { join, posix } from "node:path";
import type { SourceCheck } from "./check-kustomization.js";
import { sourceFinding, type SourceFinding } from "./findings.js";
import { readHelmChart, type HelmChart } from "./helm-chart.js";
import { isWithin, resolveInRepository } from "./repository-path.js";
import type { HelmSource } from "./types.js";

export interface HelmCheck extends SourceCheck {
  /** The chart as read, for mapping helm's output back to files; absent when it could not be read. */
  chart?: HelmChart;
}

export async function checkHelmChart(params: { root: string; source: HelmSource }): Promise<HelmCheck> {
  const { root, source } = params;
  const findings: SourceFinding[] = [];
  const files = new Set<string>();
  const dir = await resolveInRepository({ root, from: ".", reference: source.chart });
  if (dir.kind !== "inside" || dir.type !== "directory") {
    const why = dir.kind === "remote" ? "is not in the repository: Slipway renders only charts committed to it" : "is not a directory in the repository at this commit";
    return { findings: [sourceFinding(dir.kind === "remote" ? "remote-reference" : "source-missing", `The helm chart ${source.chart} ${why}.`)], files: [], directories: [] };
  }
  const read = await readHelmChart(root, dir.path);
  if ("finding" in read) return { findings: [read.finding], files: [], directories: [dir.path] };
  const { chart } = read;
  for (const dependency of chart.dependencies) {
    if (chart.subcharts.has(dependency.name)) continue;
    const message = `The dependency ${dependency.name} is not vendored under ${posix.join(chart.dir, "charts")}/. Slipway never fetches dependencies: run \`helm dependency build ${chart.dir}\` and commit what it puts in charts/.`;
    findings.push(sourceFinding("helm-dependency-missing", message, { file: posix.join(chart.dir, "Chart.yaml"), line: dependency.line }));
  }
  const walked = await walkChart(root, chart.dir);
  findings.push(...walked.findings);
  walked.files.forEach((file) => files.add(file));
  for (const values of source.values) {
    const resolved = await resolveInRepository({ root, from: ".", reference: values });
    if (resolved.kind === "inside" && resolved.type === "file") {
      files.add(resolved.path);
      continue;
    }
    const [code, why] =
      resolved.kind === "remote"
        ? (["remote-reference", "is a remote location; Slipway reads values only from the repository"] as const)
        : resolved.kind === "outside"
          ? (["path-outside-repository", "leaves the repository (or is a symlink that does)"] as const)
          : (["source-missing", "is not a file in the repository at this commit"] as const);
    findings.push(sourceFinding(code, `The values file ${values} ${why}.`));
  }
  return { findings, files: [...files].sort(), directories: [chart.dir], chart };
}

/** Every file of the chart, and a finding for each symlink that leads out of the repository. */
async function walkChart(root: string, dir: string): Promise<{ files: string[]; findings: SourceFinding[] }> {
  const realRoot = await realpath(root);
  const files: string[] = [];
  const findings: SourceFinding[] = [];
  const entries = await readdir(join(root, dir), { recursive: true });
  for (const entry of entries.sort()) {
    const path = posix.join(dir, entry.split("\\").join("/"));
    const info = await lstat(join(root, path));
    if (info.isSymbolicLink()) {
      const target = await realpath(join(root, path)).catch(() => undefined);
      if (!target || !isWithin(realRoot, target)) {
        findings.push(sourceFinding("path-outside-repository", `${path} is a symlink that leads out of the repository (or nowhere); helm would follow it. Replace it with the file itself.`, { file: path, line: 1 }));
      }
    }
    if (info.isFile() || info.isSymbolicLink()) files.push(path);
  }
  return { files, findings };
}
