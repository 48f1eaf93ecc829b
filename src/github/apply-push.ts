// Apply on merge, as a pipeline per environment, for a commit apply-branch.ts found to be the
// head of the environment's branch:
//   1. read every manifest of the environment at the pushed commit, in one tarball request (and
//      render it, for a kustomize or helm source), and reach the cluster, while
//   2. the check run `slipway/apply (<env>)` is started, then a GitHub deployment, in progress;
//   3. once all four are done, apply as the repository's identity (skipping a commit older than
//      the last applied one);
//   4. complete the check run and the deployment status, and comment on the merged pull request.
// GitHub's bookkeeping (three writes) overlaps the reading instead of preceding it (issue 12); the
// apply still waits for it, so a check run or deployment GitHub refuses leaves the cluster as it was.
import { environmentFiles, renderSettingsFromEnvironment, type RenderSettings } from "../planning/environment-files.js";
import { sharedParsePool } from "../planning/parse-pool.js";
import type { Finding } from "../manifests/types.js";
import { applyEnvironment } from "../apply/apply-environment.js";
import { canaryHoldBack } from "../canary/prepare.js";
import type { CanaryDecision } from "../desired/canary.js";
import type { CanaryService } from "./canary.js";
import { describeLeaseEvent, LeaseHeldError, type LeaseEvent } from "../apply/lease-types.js";
import type { ApplyReport } from "../apply/types.js";
import type { GrantedEnvironment } from "../config/narrow.js";
import type { TarballLimits } from "../config/server.js";
import type { Clusters } from "../kube/cluster-pool.js";
import { applyCheckRunName, deploymentDescription, renderApplyCheckRun, renderMergedPullRequestComment, type ApplyCheckRun } from "../render/apply-report.js";
import { renderApplyFailure } from "../render/failures.js";
import { renderApplyInterrupted, renderApplyLeaseHeld } from "../render/interrupted.js";
import type { Observer } from "../observability/observer.js";
import { completeCheckRun, failCheckRun, startCheckRun, type CheckRunHandle } from "./check-runs.js";
import { isHttpStatus, type GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { readEnvironmentAt } from "./repo-reader.js";
import type { JobLog } from "./job-log.js";

export interface ApplyPushDeps {
  octokit: GitHubClient;
  clusters: Clusters;
  fieldManager: string;
  configHashKey: string;
  observer?: Observer;
  /** Bound to the repository, and per environment to its name and commit. */
  log: JobLog;
  /** The caps on reading the pushed commit's tarball (default: the server's defaults). */
  tarballLimits?: TarballLimits;
  /** Starts the canaries an apply decides on (default: none are started; canaried workloads are still held back). */
  canaries?: CanaryService;
  /** The GitHub App installation the apply is for: the canary's ticks act for it. */
  installation?: number;
  /** The job's shutdown signal: the apply stops at its next safe point and its check run says so. */
  signal?: AbortSignal;
  /**
   * How long an apply whose check run has started waits for another holder's Lease (default 10
   * minutes). A job that can come back later (apply-branch.ts) waits only a retry period, and
   * hears "lease-held".
   */
  leaseWaitMs?: number;
  /** How kustomize and helm sources are rendered (default: the tools this machine has). */
  render?: RenderSettings;
}

export interface PushTarget extends RepoRef {
  sha: string;
  /** The environment as the server's policy narrowed it, with the identity to act as. */
  granted: GrantedEnvironment;
  /** The branch whose head `sha` must be: the environment's branch. */
  branch: string;
}

/** The report; undefined when the apply failed before one; "lease-held" when another apply held the environment's Lease past `leaseWaitMs`. */
export async function applyPush(deps: ApplyPushDeps, target: PushTarget): Promise<ApplyReport | "lease-held" | undefined> {
  const { octokit } = deps;
  const { environment, identity } = target.granted;
  // Stops the read when the apply fails before it needs the files (no check run, no deployment).
  const reading = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, reading.signal]) : reading.signal;
  const render = { ...(deps.render ?? renderSettingsFromEnvironment()), signal };
  // Read, rendered and parsed (in the pool's workers) while the check run, the deployment, the Lease and the inventory are seen to.
  const files = awaitedLater(
    readEnvironmentAt(octokit, { ...target, environment, limits: deps.tarballLimits, signal })
      .then((read) => environmentFiles({ environment, files: read, render }))
      .then((manifests) => (manifests.ok ? { ...manifests, parsed: awaitedLater(sharedParsePool().parse(manifests.files)) } : manifests)),
  );
  // Through a promise, so that even a synchronous throw waits for the check run to report it.
  const access = awaitedLater(Promise.resolve().then(() => deps.clusters.access(environment.context, identity)));
  const checkRun = await startCheckRun(octokit, { ...target, name: applyCheckRunName(environment.name), headSha: target.sha }).catch((error: unknown) => {
    reading.abort();
    throw error;
  });
  let deployment: StartedDeployment | undefined;
  try {
    // First, even when the read failed meanwhile: a failure's status must come after the in-progress
    // one, and a deployment GitHub refuses must still leave the check run completed.
    deployment = await startDeployment(octokit, target, checkRun, deps.log);
    const cluster = await access;
    const manifests = await files;
    const report = manifests.ok ? await applyEnvironment({
      environment,
      files: manifests.files,
      parsed: manifests.parsed,
      commit: target.sha,
      owner: `${target.owner}/${target.repo}`,
      store: cluster.store,
      context: cluster.context,
      fieldManager: deps.fieldManager,
      configHashKey: deps.configHashKey,
      shouldSkip: (last) => olderThanApplied(octokit, target, last),
      lease: { onEvent: (event) => reportLeaseEvent(deps, environment.name, event), ...(deps.leaseWaitMs !== undefined ? { waitMs: deps.leaseWaitMs } : {}) },
      ...(environment.canary.length > 0 ? { holdBack: canaryHoldBack({ store: cluster.store, environment }) } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    }) : unrenderedApply(environment, target.sha, manifests);
    deps.observer?.apply(report.outcome, report.durationMs);
    const rendered = renderApplyCheckRun(report);
    await completeCheckRun(octokit, { ...target, checkRun, report: rendered });
    const canaries = report.outcome === "applied" && report.canaries && deps.canaries && deps.installation !== undefined ? { service: deps.canaries, installation: deps.installation, decisions: report.canaries } : undefined;
    await finishDeployment(octokit, target, deployment, report, checkRun, canaries ? startedCanaries(canaries.decisions) : []);
    const pullRequest = report.outcome !== "skipped" && report.outcome !== "interrupted" ? await commentOnMergedPullRequest(octokit, target, rendered, checkRun) : undefined;
    if (canaries) {
      await canaries.service.started({
        octokit,
        repo: target,
        installation: canaries.installation,
        granted: target.granted,
        branch: target.branch,
        commit: target.sha,
        decisions: canaries.decisions,
        ...(pullRequest !== undefined ? { pullRequest } : {}),
        ...(deployment !== undefined ? { deployment: deployment.id } : {}),
      });
    }
    return report;
  } catch (error) {
    reading.abort();
    if (error instanceof LeaseHeldError) {
      // Another copy of the app (or another job of this one) took the Lease since apply-branch.ts
      // found it free: a final state now, and the job comes back.
      const waiting = renderApplyLeaseHeld({ environment: environment.name, holder: error.holder });
      deps.log.info(waiting.summary);
      await failCheckRun(octokit, { ...target, checkRun, ...waiting, conclusion: "neutral" });
      if (deployment) await setLaterDeploymentState(octokit, target, deployment, "inactive", waiting.title, checkRun);
      return "lease-held";
    }
    // Stopped by the shutdown before a report (reading the commit, waiting for the Lease).
    const interrupted = deps.signal?.aborted === true;
    deps.observer?.apply(interrupted ? "interrupted" : "error", 0);
    const failure = interrupted ? renderApplyInterrupted({ environment: environment.name }) : renderApplyFailure({ environment: environment.name, error });
    deps.log.warn(failure.summary);
    await failCheckRun(octokit, { ...target, checkRun, ...failure, conclusion: interrupted ? "neutral" : "failure" });
    if (deployment) await setLaterDeploymentState(octokit, target, deployment, interrupted ? "error" : "failure", failure.title, checkRun);
    return undefined;
  }
}

/** The report of an apply whose kustomize or helm source did not render: refused, nothing sent. */
function unrenderedApply(environment: GrantedEnvironment["environment"], commit: string, files: { findings: Finding[]; durationMs: number }): ApplyReport {
  const tool = environment.kustomize !== undefined ? "kustomize" : "helm";
  return { environment: environment.name, commit, outcome: "refused", objects: [], findings: files.findings, message: `Nothing was applied: the ${tool} source did not render.`, durationMs: files.durationMs };
}

/** A promise awaited later, where its failure is handled: until then, a rejection is not an unhandled one. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Holders, failed renewals and losses of an environment's Lease: log lines, and the metrics. */
function reportLeaseEvent(deps: ApplyPushDeps, environment: string, event: LeaseEvent): void {
  const line = `Lease of ${environment}: ${describeLeaseEvent(event)}`;
  switch (event.type) {
    case "acquired":
      deps.observer?.leaseHeld(1);
      deps.log.info(line);
      return;
    case "held-by":
      deps.log.info(line);
      return;
    case "renew-failed":
      deps.observer?.leaseRenewFailed();
      deps.log.warn(line);
      return;
    case "released":
      deps.observer?.leaseHeld(-1);
      deps.log.info(line);
      return;
    // Each ends a hold that began with "acquired".
    case "lost":
    case "release-failed":
      deps.observer?.leaseHeld(-1);
      deps.log.warn(line);
      return;
  }
}

/** A reason to skip when `sha` is behind the last applied commit (an out-of-order delivery). */
async function olderThanApplied(octokit: GitHubClient, target: PushTarget, last: string | undefined): Promise<string | undefined> {
  if (!last || last === target.sha) return undefined;
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: target.owner, repo: target.repo, basehead: `${last}...${target.sha}`, per_page: 1 });
    if (data.status === "behind") return `Skipped: ${target.sha.slice(0, 12)} is older than ${last.slice(0, 12)}, which is already applied to ${target.granted.environment.name}.`;
    return undefined;
  } catch (error) {
    // A last commit GitHub no longer knows (a force-push) does not block the new one.
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
}

type DeploymentState = "in_progress" | "success" | "failure" | "inactive" | "error";

/** A deployment GitHub accepted, and its in-progress status on its way: every later status waits for it. */
interface StartedDeployment {
  id: number;
  inProgress: Promise<void>;
}

/**
 * The deployment is the gate (GitHub may refuse it, and then nothing is applied); its in-progress
 * status is not, so the apply starts while it is posted.
 */
async function startDeployment(octokit: GitHubClient, target: PushTarget, checkRun: CheckRunHandle, log: ApplyPushDeps["log"]): Promise<StartedDeployment | undefined> {
  const { data } = await octokit.rest.repos.createDeployment({
    owner: target.owner,
    repo: target.repo,
    ref: target.sha,
    environment: target.granted.environment.name,
    auto_merge: false,
    required_contexts: [],
    description: `Slipway applies ${target.granted.environment.name}`,
  });
  if (!("id" in data)) return undefined;
  const inProgress = setDeploymentState(octokit, target, data.id, "in_progress", "Applying", checkRun).catch((error: unknown) => {
    log.warn(`Deployment ${data.id} of ${target.granted.environment.name}: GitHub did not take its in-progress status (${error instanceof Error ? error.message : String(error)})`);
  });
  return { id: data.id, inProgress };
}

/** A later status of the deployment, after its in-progress one. */
async function setLaterDeploymentState(octokit: GitHubClient, target: PushTarget, deployment: StartedDeployment, state: DeploymentState, description: string, checkRun: CheckRunHandle) {
  await deployment.inProgress;
  await setDeploymentState(octokit, target, deployment.id, state, description, checkRun);
}

/** The workloads whose canary this apply starts: its state takes this deployment and gives it the outcome (a canary it continues has its own). */
function startedCanaries(decisions: CanaryDecision[]): string[] {
  return decisions.filter((decision) => decision.kind === "start").map((decision) => decision.workload);
}

/** The apply's outcome as the deployment's status; a canary the apply starts decides it later, so until then it is in progress. */
async function finishDeployment(octokit: GitHubClient, target: PushTarget, deployment: StartedDeployment | undefined, report: ApplyReport, checkRun: CheckRunHandle, canaried: string[]) {
  if (deployment === undefined) return;
  if (canaried.length > 0) return setLaterDeploymentState(octokit, target, deployment, "in_progress", `Applied; canary of ${canaried.join(", ")} under way`, checkRun);
  const state = report.outcome === "applied" ? "success" : report.outcome === "skipped" ? "inactive" : report.outcome === "interrupted" ? "error" : "failure";
  await setLaterDeploymentState(octokit, target, deployment, state, deploymentDescription(report), checkRun);
}

async function setDeploymentState(
  octokit: GitHubClient,
  target: PushTarget,
  deployment: number,
  state: DeploymentState,
  description: string,
  checkRun: CheckRunHandle,
) {
  await octokit.rest.repos.createDeploymentStatus({
    owner: target.owner,
    repo: target.repo,
    deployment_id: deployment,
    state,
    description: description.slice(0, 140),
    ...(checkRun.url ? { log_url: checkRun.url } : {}),
  });
}

/** Comments on the pull request the commit merged; returns its number. */
async function commentOnMergedPullRequest(octokit: GitHubClient, target: PushTarget, rendered: ApplyCheckRun, checkRun: CheckRunHandle): Promise<number | undefined> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: target.owner, repo: target.repo, commit_sha: target.sha });
  const merged = data.find((pr) => pr.merged_at);
  if (!merged) return undefined;
  await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: merged.number,
    body: renderMergedPullRequestComment({ commit: target.sha, environment: target.granted.environment.name, report: rendered, checkRunUrl: checkRun.url }),
  });
  return merged.number;
}
