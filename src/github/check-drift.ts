// Drift detection on the reconcile timer, for an environment whose branch head is applied and
// whose configuration asks for it (`drift: report | correct`):
//   1. read the environment's manifests at the applied commit;
//   2. plan all of them against the cluster (the dry-run of what an apply would send);
//   3. if the drift set differs from the last one seen for this environment and commit, post the
//      check run `slipway/drift (<env>)` on the commit, and say whether to correct it.
// The last drift seen is kept in memory (bounded): a restart reports once more, never more.
import { environmentFiles, renderSettingsFromEnvironment, type RenderSettings } from "../planning/environment-files.js";
import { canaryHoldBack } from "../canary/prepare.js";
import type { GrantedEnvironment } from "../config/narrow.js";
import type { TarballLimits } from "../config/server.js";
import type { Clusters } from "../kube/cluster-pool.js";
import { findDrift, type Drift } from "../plan/drift.js";
import { planEnvironment } from "../planning/plan-environment.js";
import { renderDriftCheckRun } from "../render/drift-report.js";
import type { BoundedMap } from "../util/bounded-map.js";
import { reportCompletedCheckRun } from "./check-runs.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { readEnvironmentAt } from "./repo-reader.js";
import type { JobLog } from "./job-log.js";

export interface CheckDriftDeps {
  octokit: GitHubClient;
  clusters: Clusters;
  fieldManager: string;
  configHashKey: string;
  log: JobLog;
  tarballLimits?: TarballLimits;
  /** How kustomize and helm sources are rendered (default: the tools this machine has). */
  render?: RenderSettings;
  signal?: AbortSignal;
  /** The fingerprint of the last drift reported per `owner/repo:environment`. */
  memory: BoundedMap<string, string>;
}

/** The drift found, and whether it is new (and so was reported); undefined when the plan could not tell. */
export async function checkDrift(deps: CheckDriftDeps, params: RepoRef & { commit: string; granted: GrantedEnvironment }): Promise<{ drift: Drift; isNew: boolean } | undefined> {
  const { environment, identity } = params.granted;
  const read = await readEnvironmentAt(deps.octokit, { ...params, sha: params.commit, environment, limits: deps.tarballLimits, ...(deps.signal ? { signal: deps.signal } : {}) });
  const rendered = await environmentFiles({ environment, files: read, render: { ...(deps.render ?? renderSettingsFromEnvironment()), ...(deps.signal ? { signal: deps.signal } : {}) } });
  if (!rendered.ok) {
    deps.log.warn(`drift of ${environment.name} not checked: its ${environment.kustomize !== undefined ? "kustomize" : "helm"} source did not render: ${rendered.findings[0]?.message ?? ""}`);
    return undefined;
  }
  const files = rendered.files;
  const cluster = await deps.clusters.access(environment.context, identity);
  const plan = await planEnvironment({
    environment,
    head: files,
    base: [],
    target: { mode: "cluster", ...cluster },
    fieldManager: deps.fieldManager,
    configHashKey: deps.configHashKey,
    ...(deps.signal ? { signal: deps.signal } : {}),
    // A canaried workload is compared with what the apply sends: held back, not drifted.
    ...(environment.canary.length > 0 ? { holdBack: canaryHoldBack({ store: cluster.store, environment }), planSentBodies: true } : {}),
  });
  const unplanned = plan.error ?? plan.findings.find((finding) => finding.severity === "error")?.message;
  if (unplanned !== undefined) {
    deps.log.warn(`drift of ${environment.name} not checked: ${unplanned}`);
    return undefined;
  }
  const drift = findDrift(plan, params.commit);
  const key = `${params.owner}/${params.repo}:${environment.name}`;
  if (deps.memory.get(key) === drift.fingerprint) return { drift, isNew: false };
  deps.memory.set(key, drift.fingerprint);
  const mode = environment.drift === "correct" ? "correct" : "report";
  const report = renderDriftCheckRun({ environment: environment.name, drift, mode, force: environment.conflicts === "force" });
  await reportCompletedCheckRun(deps.octokit, { ...params, sha: params.commit, report });
  deps.log.info(`drift of ${environment.name} at ${params.commit.slice(0, 12)}: ${drift.objects.length === 0 ? "none" : drift.objects.map((object) => object.name).join(", ")}`);
  return { drift, isNew: true };
}
