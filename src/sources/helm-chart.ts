// A chart directory as Slipway reads it before helm does: its name (helm's `# Source:` markers and
// errors start with it, not with the directory's name) and its vendored subcharts, by name.
import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { sourceFinding, type SourceFinding } from "./findings.js";

export interface HelmChart {
  /** The chart's directory, relative to the repository's root. */
  dir: string;
  /** `name` in Chart.yaml. */
  name: string;
  /** `dependencies` in Chart.yaml, with the line of each entry. */
  dependencies: Array<{ name: string; line: number }>;
  /** Each subchart under charts/ by its chart name: a directory or an archive (relative to the root). */
  subcharts: Map<string, { path: string; archive: boolean }>;
}

export async function readHelmChart(root: string, dir: string): Promise<{ chart: HelmChart } | { finding: SourceFinding }> {
  const file = posix.join(dir, "Chart.yaml");
  const text = await readFile(join(root, file), "utf8").catch(() => undefined);
  if (text === undefined) return { finding: sourceFinding("source-missing", `${dir} holds no Chart.yaml at this commit, so it is not a chart.`, { file: dir, line: 1 }) };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const name = doc.get("name");
  if (doc.errors.length > 0 || typeof name !== "string" || name === "") {
    const line = doc.errors[0] ? lineCounter.linePos(doc.errors[0].pos[0]).line : 1;
    const why = doc.errors[0]?.message ?? "it has no name";
    return { finding: sourceFinding("source-not-readable", `${file} cannot be read: ${why}.`, { file, line }) };
  }
  const dependencies: HelmChart["dependencies"] = [];
  const listed = doc.get("dependencies", true);
  for (const entry of isSeq(listed) ? listed.items : []) {
    const depName = isMap(entry) ? entry.get("name", true) : undefined;
    if (!isScalar(depName) || typeof depName.value !== "string") continue;
    dependencies.push({ name: depName.value, line: depName.range ? lineCounter.linePos(depName.range[0]).line : 1 });
  }
  return { chart: { dir, name, dependencies, subcharts: await readSubcharts(root, dir) } };
}

/** charts/<dir>/Chart.yaml by the name it declares, and charts/<name>-<version>.tgz by its file name. */
async function readSubcharts(root: string, dir: string): Promise<HelmChart["subcharts"]> {
  const chartsDir = posix.join(dir, "charts");
  const entries = await readdir(join(root, chartsDir), { withFileTypes: true }).catch(() => []);
  const subcharts: HelmChart["subcharts"] = new Map();
  for (const entry of entries) {
    const path = posix.join(chartsDir, entry.name);
    if (entry.isDirectory()) {
      const text = await readFile(join(root, path, "Chart.yaml"), "utf8").catch(() => undefined);
      const name = text === undefined ? undefined : (parseDocument(text).get("name"));
      if (typeof name === "string") subcharts.set(name, { path, archive: false });
    } else if (entry.isFile() && /\.tgz$/.test(entry.name)) {
      // helm package names archives <name>-<semver>.tgz; the version starts at the last "-<digit>".
      const name = entry.name.replace(/-v?\d[^-]*(-[^-]+)*\.tgz$|\.tgz$/, "");
      if (!subcharts.has(name)) subcharts.set(name, { path, archive: true });
    }
  }
  return subcharts;
}
