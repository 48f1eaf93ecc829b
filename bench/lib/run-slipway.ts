// One timed Slipway plan: a fresh client, discovery and store (so discovery is in the time),
// the manifests read from disk, and planEnvironment against the cluster.
import { environmentSchema, type EnvironmentConfig } from "../../src/config/schema.js";
import type { EnvironmentPlan, PlanAction } from "../../src/plan/types.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import { connect } from "./connect.js";
import { benchEnvironment } from "./apps.js";
import { kubectlName } from "./kubectl-name.js";
import { readManifests } from "./manifest-files.js";
import { measureRss, type RssPeak } from "./measure.js";
import { fieldManager } from "./seed-namespace.js";

export interface SlipwayRun {
  seconds: number;
  rss: RssPeak;
  /** Objects the plan would create or change, by kubectl's name for them, with their diffs. */
  changed: Map<string, string>;
  /** Anything in the plan that this benchmark does not expect: errors, rejections, conflicts. */
  problems: string[];
}

const changedActions = new Set<PlanAction>(["create", "change"]);
const expectedActions = new Set<PlanAction>(["create", "change", "unchanged"]);

export async function runSlipway(params: { kubeconfigPath: string; namespace: string; headDir: string; baseDir: string }): Promise<SlipwayRun> {
  // Through the schema, so every field the configuration does not set gets Slipway's default.
  const environment: EnvironmentConfig = environmentSchema.parse({ name: benchEnvironment, paths: ["**/*.yaml"], namespace: params.namespace, conflicts: "warn" });
  const { result, rss } = await measureRss(async () => {
    const started = performance.now();
    const { client, store } = await connect(params.kubeconfigPath);
    try {
      const [head, base] = await Promise.all([readManifests(params.headDir), readManifests(params.baseDir)]);
      const target = { mode: "cluster" as const, store, context: client.contextName };
      const plan = await planEnvironment({ environment, head, base, target, fieldManager });
      return { plan, seconds: (performance.now() - started) / 1000 };
    } finally {
      client.close();
    }
  });
  const changed = new Map(
    result.plan.objects.filter((object) => changedActions.has(object.action)).map((object) => [kubectlName(object.ref), object.diff ?? ""]),
  );
  return { seconds: result.seconds, rss, changed, problems: problemsOf(result.plan) };
}

function problemsOf(plan: EnvironmentPlan): string[] {
  return [
    ...(plan.error ? [`plan error: ${plan.error}`] : []),
    ...plan.findings.filter((finding) => finding.severity === "error").map((finding) => `finding ${finding.code}: ${finding.message}`),
    ...plan.objects.filter((object) => !expectedActions.has(object.action)).map((object) => `${object.name}: ${object.action} ${object.note ?? ""}`),
    ...plan.objects.flatMap((object) => object.conflicts.map((conflict) => `${object.name}: conflict on ${conflict.field} with ${conflict.manager}`)),
  ];
}
