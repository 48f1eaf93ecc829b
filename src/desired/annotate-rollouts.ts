// Tells the plan reader which workloads a ConfigMap or Secret change rolls out
// ("ConfigMap/apps/web-config changed → Deployment/apps/web will roll out"). The roll-out itself
// comes from the config hash in the workload's body (stamp.ts); this only explains it, and
// says nothing about values, so it is safe for Secrets.
import type { ObjectPlan, PlanAction } from "../plan/types.js";
import { compareStrings } from "../manifests/fields.js";

export interface AnnotateRolloutsParams {
  plans: ObjectPlan[];
  /** Workload display name → the config objects its hash covers: `stampWorkloads(...).rollouts`. */
  rollouts: Map<string, string[]>;
}

/**
 * Copies of the plans where every created or changed ConfigMap or Secret lists, in `rollsOut`,
 * one sentence per workload it rolls out; other plans are returned as they are.
 */
export function annotateRollouts(params: AnnotateRolloutsParams): ObjectPlan[] {
  const actionByName = new Map(params.plans.map((plan) => [plan.name, plan.action]));
  const readers = readersByConfig(params.rollouts);
  return params.plans.map((plan) => {
    const verb = configVerb(plan);
    if (verb === undefined) return plan;
    const workloads = (readers.get(plan.name) ?? []).filter((workload) => rollsOut(actionByName.get(workload)));
    if (workloads.length === 0) return plan;
    return { ...plan, rollsOut: workloads.map((workload) => `${plan.name} ${verb} → ${workload} will roll out`) };
  });
}

function configVerb(plan: ObjectPlan): string | undefined {
  const { apiVersion, kind } = plan.ref;
  if (apiVersion !== "v1" || (kind !== "ConfigMap" && kind !== "Secret")) return undefined;
  return plan.action === "change" ? "changed" : plan.action === "create" ? "created" : undefined;
}

/**
 * Whether a workload with this plan rolls out. Only a changed workload does: an unchanged one
 * means the config change left its hash alone (a metadata-only edit); a created one starts with
 * the new config; the others are not applied, or the dry-run could not tell.
 */
function rollsOut(action: PlanAction | undefined): boolean {
  switch (action) {
    case "change":
    case "adopt":
      return true;
    case "create":
    case "unchanged":
    case "prune":
    case "retain":
    case "unverified":
    case "rejected":
    case undefined:
      return false;
  }
}

function readersByConfig(rollouts: Map<string, string[]>): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const [workload, configs] of [...rollouts].sort(([a], [b]) => compareStrings(a, b))) {
    for (const config of configs) readers.set(config, [...(readers.get(config) ?? []), workload]);
  }
  return readers;
}
