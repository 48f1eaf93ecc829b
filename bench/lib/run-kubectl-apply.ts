// One timed `kubectl apply --server-side` of a directory as manager `slipway`, with the kubectl
// the test cluster was built with and a fresh discovery cache (Slipway discovers afresh in
// every run too). No --force-conflicts: Slipway's default, `conflicts: fail`, takes nothing over.
import { join } from "node:path";
import { CheckFailed } from "./compare.js";
import { describeExit, runCommand, withRunDir } from "./run-command.js";
import { fieldManager } from "./seed-namespace.js";

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
