// The kubectl the test cluster was built with (diff, apply), one timed run each, and what the
// benchmarks share around it. Slipway runs as users run it: the built command line (cli-plan.ts)
// and the built app (app-process.ts).
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import type { ManifestFile } from "../../src/manifests/manifest-file.js";
import { groupOf, versionOf, type ObjectRef } from "../../src/manifests/object.js";
import { CheckFailed } from "./compare.js";
import { runTimed } from "./peak-memory.js";

/** The manager both tools apply as, and that seeds the "before" objects. */
export const fieldManager = "slipway";

/** The cluster the tools run against, and the kubectl built with it. */
export interface BenchCluster {
  kubeconfigPath: string;
  kubectl: string;
}

export interface Connection {
  client: KubeClient;
  store: ObjectStore;
}

/** A fresh client, discovery and object store for one kubeconfig, as the Slipway server builds them. */
export async function connect(kubeconfigPath: string): Promise<Connection> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const client = await KubeClient.fromKubeConfig({ kubeConfig });
  return { client, store: new ObjectStore(client, new Discovery(client)) };
}

/** Every YAML file under `dir`, with its path relative to `dir` as a repository path: kubectl reads the directory, Slipway the same files' contents. */
export async function readManifests(dir: string): Promise<ManifestFile[]> {
  // Relative paths; the directories themselves (`apps`) do not end in .yaml.
  const paths = (await readdir(dir, { recursive: true })).filter((path) => /\.ya?ml$/.test(path)).sort();
  return Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, path)) })));
}

// kubectl diff names each object's file `<group>.<version>.<Kind>.<namespace>.<name>` (no group
// for the core API): InfoObject.Name in k8s.io/kubectl/pkg/cmd/diff/diff.go. The comparison of
// changed sets uses that name for both tools.
export function kubectlName(ref: ObjectRef): string {
  const group = groupOf(ref.apiVersion);
  return `${group ? `${group}.` : ""}${versionOf(ref.apiVersion)}.${ref.kind}.${ref.namespace ?? ""}.${ref.name}`;
}

// One timed `kubectl diff --server-side` of a directory. KUBECTL_EXTERNAL_DIFF picks the program
// kubectl runs on its LIVE and MERGED directories: `diff -r -q` is cheap and lists exactly the
// files (objects) that differ.
export interface KubectlRun {
  seconds: number;
  /** kubectl's peak resident memory. */
  peakMiB: number;
  /** Objects that differ, by kubectl's name for them (`apps.v1.Deployment.<ns>.<name>`). */
  changed: Set<string>;
  stdout: string;
}

const listChangedFiles = "diff -r -q";
/** For evidence when the tools disagree: the diffs themselves. */
export const unifiedDiff = "diff -u -N -r";

export async function runKubectlDiff(params: {
  kubectl: string;
  kubeconfigPath: string;
  dir: string;
  /** Where kubectl's LIVE/MERGED directories go; removed with the benchmark's files. */
  scratchDir: string;
  /** kubectl's discovery cache; kept from run to run, as ~/.kube/cache is (default: a fresh one per run). */
  cacheDir?: string;
  externalDiff?: string;
}): Promise<KubectlRun> {
  const externalDiff = params.externalDiff ?? listChangedFiles;
  return withRunDir(params.scratchDir, async (runDir) => {
    const cacheDir = params.cacheDir ?? join(runDir, "cache");
    const args = ["diff", "--server-side", `--field-manager=${fieldManager}`, "--force-conflicts", "-f", params.dir, "-R", `--cache-dir=${cacheDir}`];
    // TMPDIR: an interrupted kubectl leaves its LIVE-* and MERGED-* directories behind.
    const env = { ...process.env, KUBECONFIG: params.kubeconfigPath, KUBECTL_EXTERNAL_DIFF: externalDiff, TMPDIR: runDir };
    const { exit, stdout, stderr, seconds, peakMiB } = await runTimed({ command: params.kubectl, args, env });
    // 0: no differences, 1: differences, >1: kubectl or the diff program failed.
    if (exit !== 0 && exit !== 1) throw new Error(`kubectl diff ${describeExit(exit)}:\n${stderr.slice(-4000)}`);
    const changed = externalDiff === listChangedFiles ? parseChangedFiles(stdout) : new Set<string>();
    return { seconds, peakMiB, changed, stdout };
  });
}

/**
 * `Files LIVE/x and MERGED/x differ` and `Only in DIR: x` → x; anything else is unexpected.
 * Object names hold no `/` or space, so the name is what follows the last `/` (or `: `).
 */
function parseChangedFiles(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const line of stdout.split("\n").filter((text) => text !== "")) {
    const name = /^Files .+\/([^/\s]+) differ$/.exec(line)?.[1] ?? /^Only in .+: ([^/\s]+)$/.exec(line)?.[1];
    if (name === undefined) throw new Error(`unexpected line from ${listChangedFiles}: ${line}`);
    names.add(name);
  }
  return names;
}

// One timed `kubectl apply --server-side` of a directory as manager `slipway`, with a fresh
// discovery cache (Slipway discovers afresh in every run too). No --force-conflicts: Slipway's
// default, `conflicts: fail`, takes nothing over.
export interface KubectlApplyRun {
  seconds: number;
  /** Objects kubectl reported, one line each: `deployment.apps/app-0000 serverside-applied`. */
  applied: number;
}

export async function runKubectlApply(params: { kubectl: string; kubeconfigPath: string; dir: string; scratchDir: string }): Promise<KubectlApplyRun> {
  return withRunDir(params.scratchDir, async (runDir) => {
    const args = ["apply", "--server-side", `--field-manager=${fieldManager}`, "-f", params.dir, "-R", `--cache-dir=${join(runDir, "cache")}`];
    const env = { ...process.env, KUBECONFIG: params.kubeconfigPath };
    const started = performance.now();
    const { exit, stdout, stderr } = await runCommand(params.kubectl, args, env);
    const seconds = (performance.now() - started) / 1000;
    if (exit !== 0) throw new CheckFailed(`kubectl apply --server-side of ${params.dir} ${describeExit(exit)}:\n${stderr.slice(-4000)}`);
    const applied = stdout.split("\n").filter((line) => line.endsWith(" serverside-applied")).length;
    return { seconds, applied };
  });
}

// A child process to its end, with its output: kubectl is timed as a whole command.
interface CommandResult {
  /** The exit code, or the signal that killed it. */
  exit: number | string;
  stdout: string;
  stderr: string;
}

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exit: code ?? signal ?? "a signal", stdout, stderr }));
  });
}

const describeExit = (exit: number | string) => (typeof exit === "number" ? `exited with ${exit}` : `was killed by ${exit}`);

/** A fresh directory under `parent` for one kubectl run (its discovery cache, its temporary files), removed after it. */
async function withRunDir<T>(parent: string, work: (runDir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true });
  const runDir = await mkdtemp(join(parent, "run-"));
  try {
    return await work(runDir);
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
