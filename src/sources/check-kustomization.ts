// Reads a Kustomize root and every kustomization it reaches (bases, components, generator
// directories) before kustomize runs, and refuses what Slipway never lets it do: fetch a remote
// base, read a file outside the repository (or, for a file it loads, outside its kustomization's
// directory: the root-only load restrictor), run a plugin or a KRM function, or inflate a Helm chart.
// Each refusal names the file and line. What it reads is also the set of files the source depends on.
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { sourceFinding, type SourceFinding } from "./findings.js";
import { readKustomization, type Reference } from "./kustomization-file.js";
import { pluginFindings } from "./plugin-config.js";
import { resolveInRepository } from "./repository-path.js";

export interface SourceCheck {
  /** Refusals; the tool must not run when there is one. */
  findings: SourceFinding[];
  /** Every repository file the source reads, sorted: its kustomization files and what they name. */
  files: string[];
  /** Directories any file of which the source reads (a chart's: a new template counts too). */
  directories: string[];
}

/** Checks the kustomization in `path` (relative to `root`, the directory of the repository's files). */
export async function checkKustomization(params: { root: string; path: string }): Promise<SourceCheck> {
  const { root } = params;
  const findings: SourceFinding[] = [];
  const files = new Set<string>();
  const start = await resolveInRepository({ root, from: ".", reference: params.path });
  if (start.kind !== "inside" || start.type !== "directory") {
    const why = start.kind === "inside" ? "is not a directory in the repository at this commit" : "is not a directory inside the repository";
    return { findings: [sourceFinding("source-missing", `The kustomize source ${params.path} ${why}.`)], files: [], directories: [] };
  }
  // Directories to read, each as a kustomization whose resources are objects, or plugin configurations.
  const pending: Array<{ dir: string; resourcesArePlugins: boolean }> = [{ dir: start.path, resourcesArePlugins: false }];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const next = pending.shift()!;
    const key = `${next.dir}:${next.resourcesArePlugins}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const read = await readKustomization(root, next.dir);
    if ("finding" in read) {
      findings.push(read.finding);
      continue;
    }
    const { kustomization } = read;
    files.add(kustomization.file);
    for (const helm of kustomization.helmFields) {
      const message = `${helm.field}: Slipway does not inflate Helm charts inside kustomize (that needs --enable-helm and runs helm with the server's settings). Make the chart a helm source of its own environment.`;
      findings.push(sourceFinding("kustomize-helm", message, { file: kustomization.file, line: helm.line }));
    }
    for (const reference of kustomization.references) {
      const role = next.resourcesArePlugins && reference.role === "resource" ? { ...reference, role: "plugin" as const } : reference;
      const followed = await follow({ root, dir: next.dir, file: kustomization.file, reference: role });
      findings.push(...followed.findings);
      followed.files.forEach((file) => files.add(file));
      pending.push(...followed.directories);
    }
  }
  return { findings, files: [...files].sort(), directories: [] };
}

interface Followed {
  findings: SourceFinding[];
  files: string[];
  directories: Array<{ dir: string; resourcesArePlugins: boolean }>;
}

async function follow(params: { root: string; dir: string; file: string; reference: Reference }): Promise<Followed> {
  const { root, dir, file, reference } = params;
  const at = { file, line: reference.line };
  const refuse = (finding: SourceFinding): Followed => ({ findings: [finding], files: [], directories: [] });
  if (reference.role === "plugin" && reference.value.includes("\n")) {
    return { findings: pluginFindings({ text: reference.value, file, firstLine: reference.line + 1, field: reference.field }), files: [], directories: [] };
  }
  const resolved = await resolveInRepository({ root, from: dir, reference: reference.value });
  switch (resolved.kind) {
    case "remote":
      return refuse(
        sourceFinding(
          "remote-reference",
          `${reference.field}: ${reference.value} is a remote location. Slipway renders only the repository's own files at the commit and never fetches; vendor it into the repository and name its path.`,
          at,
        ),
      );
    case "outside":
      return refuse(sourceFinding("path-outside-repository", `${reference.field}: ${reference.value} leaves the repository (or is a symlink that does); Slipway renders only the repository's own files.`, at));
    case "inside":
      break;
  }
  if (resolved.type === "missing") {
    // kustomize would take a resource it cannot find for a remote URL and try to fetch it.
    return refuse(sourceFinding("source-missing", `${reference.field}: ${reference.value} is not in the repository at this commit (looked for ${resolved.path}).`, at));
  }
  if (resolved.type === "directory") {
    if (reference.role === "file") return refuse(sourceFinding("source-missing", `${reference.field}: ${reference.value} is a directory; a file is needed here.`, at));
    return { findings: [], files: [], directories: [{ dir: resolved.path, resourcesArePlugins: reference.role === "plugin" }] };
  }
  if (reference.role === "component") return refuse(sourceFinding("source-missing", `${reference.field}: ${reference.value} is a file; a component is a directory with a kustomization.`, at));
  // The root-only load restrictor: a file kustomize loads must be in or below its kustomization's directory.
  if (!repositoryDirHolds(dir, resolved.path)) {
    return refuse(
      sourceFinding(
        "path-outside-repository",
        `${reference.field}: ${reference.value} is outside this kustomization's directory (${dir}); kustomize loads files only from in or below it (root-only load restrictor). Move the file, or make its directory a kustomization and name that.`,
        at,
      ),
    );
  }
  if (reference.role === "plugin") {
    const text = await readFile(resolved.absolute, "utf8");
    return { findings: pluginFindings({ text, file: resolved.path, firstLine: 1, field: `${reference.field} (named in ${file})` }), files: [resolved.path], directories: [] };
  }
  return { findings: [], files: [resolved.path], directories: [] };
}

/** Whether the repository directory `dir` holds `path` (both relative to the root, with `/`). */
function repositoryDirHolds(dir: string, path: string): boolean {
  return dir === "." || path === dir || path.startsWith(`${posix.normalize(dir)}/`);
}
