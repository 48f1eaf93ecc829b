// One timed `kubectl diff --server-side` of a directory, with the kubectl the test cluster was
// built with. KUBECTL_EXTERNAL_DIFF picks the program kubectl runs on its LIVE and MERGED
// directories: `diff -r -q` is cheap and lists exactly the files (objects) that differ.
import { join } from "node:path";
import { describeExit, runCommand, withRunDir } from "./run-command.js";
import { fieldManager } from "./seed-namespace.js";

export interface KubectlRun {
  seconds: number;
  /** Objects that differ, by kubectl's name for them (`apps.v1.Deployment.<ns>.<name>`). */
  changed: Set<string>;
  stdout: string;
}

export const listChangedFiles = "diff -r -q";
/** For evidence when the tools disagree: the diffs themselves. */
export const unifiedDiff = "diff -u -N -r";

export async function runKubectlDiff(params: {
  kubectl: string;
  kubeconfigPath: string;
  dir: string;
  /** Where kubectl's discovery cache and LIVE/MERGED directories go; removed with the benchmark's files. */
  scratchDir: string;
  externalDiff?: string;
}): Promise<KubectlRun> {
  const externalDiff = params.externalDiff ?? listChangedFiles;
  return withRunDir(params.scratchDir, async (runDir) => {
    // A fresh discovery cache for every run, as Slipway gets: both pay for discovery each time.
    const cacheDir = join(runDir, "cache");
    const args = ["diff", "--server-side", `--field-manager=${fieldManager}`, "--force-conflicts", "-f", params.dir, "-R", `--cache-dir=${cacheDir}`];
    // TMPDIR: an interrupted kubectl leaves its LIVE-* and MERGED-* directories behind.
    const env = { ...process.env, KUBECONFIG: params.kubeconfigPath, KUBECTL_EXTERNAL_DIFF: externalDiff, TMPDIR: runDir };
    const started = performance.now();
    const { exit, stdout, stderr } = await runCommand(params.kubectl, args, env);
    const seconds = (performance.now() - started) / 1000;
    // 0: no differences, 1: differences, >1: kubectl or the diff program failed.
    if (exit !== 0 && exit !== 1) throw new Error(`kubectl diff ${describeExit(exit)}:\n${stderr.slice(-4000)}`);
    const changed = externalDiff === listChangedFiles ? parseChangedFiles(stdout) : new Set<string>();
    return { seconds, changed, stdout };
  });
}

/**
 * `Files LIVE/x and MERGED/x differ` and `Only in DIR: x` → x; anything else is unexpected.
 * Object names hold no `/` or space, so the name is what follows the last `/` (or `: `).
 */
export function parseChangedFiles(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const line of stdout.split("\n").filter((text) => text !== "")) {
    const name = /^Files .+\/([^/\s]+) differ$/.exec(line)?.[1] ?? /^Only in .+: ([^/\s]+)$/.exec(line)?.[1];
    if (name === undefined) throw new Error(`unexpected line from ${listChangedFiles}: ${line}`);
    names.add(name);
  }
  return names;
}
