// One timed `slipway plan`, as a user runs it: the built command (`npm run build`'s
// lib/bin/slipway.js, what the package's `bin` runs) as a new process, from the checkout's root, so start-up,
// kubeconfig loading, discovery, parsing and rendering are all in the time.
import { fileURLToPath } from "node:url";
import type { EnvironmentPlan, PlanAction } from "../../src/plan/types.js";
import { CheckFailed } from "./compare.js";
import { describeExit, runTimed } from "./peak-memory.js";
import { kubectlName } from "./tools.js";

/** The built command line: package.json's `bin`. */
export const builtCli = fileURLToPath(new URL("../../lib/bin/slipway.js", import.meta.url));

export interface SlipwayCliRun {
  seconds: number;
  peakMiB: number;
  /** Objects the plan would create or change, by kubectl's name for them, with their diffs. */
  changed: Map<string, string>;
  /** Anything in the plan that this benchmark does not expect: errors, rejections, conflicts. */
  problems: string[];
}

const changedActions = new Set<PlanAction>(["create", "change"]);
const expectedActions = new Set<PlanAction>(["create", "change", "unchanged"]);

/**
 * `slipway plan --output json <paths>` in `root`, a checkout whose .github/slipway.yml defines the
 * environment. JSON so the benchmark can compare what changed; it carries the same diffs as text.
 * Exit 0 (nothing changes) and 1 (changes) are plans; anything else failed.
 */
export async function runSlipwayCli(params: {
  kubeconfigPath: string;
  root: string;
  paths: string[];
  /** XDG_CACHE_HOME for the run: where Slipway keeps its discovery cache. */
  cacheHome: string;
  /** Another build's command (default: this checkout's lib/bin/slipway.js). */
  builtCli?: string;
}): Promise<SlipwayCliRun> {
  const env = { ...process.env, KUBECONFIG: params.kubeconfigPath, XDG_CACHE_HOME: params.cacheHome, NO_COLOR: "1" };
  const run = await runTimed({ command: process.execPath, args: [params.builtCli ?? builtCli, "plan", "--output", "json", ...params.paths], env, cwd: params.root });
  if (run.exit !== 0 && run.exit !== 1) throw new CheckFailed(`slipway plan ${describeExit(run.exit)}:\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-4000)}`);
  const { plans } = JSON.parse(run.stdout) as { plans: EnvironmentPlan[] };
  const objects = plans.flatMap((plan) => plan.objects);
  const changed = new Map(objects.filter((object) => changedActions.has(object.action)).map((object) => [kubectlName(object.ref), object.diff ?? ""]));
  const problems = [
    ...(run.stderr.trim() ? [`stderr: ${run.stderr.trim().slice(0, 500)}`] : []),
    ...plans.flatMap((plan) => problemsOf(plan)),
  ];
  return { seconds: run.seconds, peakMiB: run.peakMiB, changed, problems };
}

function problemsOf(plan: EnvironmentPlan): string[] {
  return [
    ...(plan.error ? [`plan error: ${plan.error}`] : []),
    ...plan.findings.filter((finding) => finding.severity === "error").map((finding) => `finding ${finding.code}: ${finding.message}`),
    ...plan.objects.filter((object) => !expectedActions.has(object.action)).map((object) => `${object.name}: ${object.action} ${object.note ?? ""}`),
    ...plan.objects.flatMap((object) => object.conflicts.map((conflict) => `${object.name}: conflict on ${conflict.field} with ${conflict.manager}`)),
  ];
}
