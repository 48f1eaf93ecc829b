// The plan of one pull request, as a pipeline:
//   1. read .github/slipway.yml from the default branch, narrowed to the server's policy;
//   2. list the files the pull request changes, and pick the environments they touch (for a
//      kustomize or helm source: a file it reads at the base or the head);
//   3. read the head's files (one tarball, started at once) and, per environment: start its check
//      run, read the base files (render a source at both revisions), plan, complete the check run;
//   4. write the sticky comment, unless a newer head commit has been seen meanwhile.
import type { GrantedEnvironment } from "../config/narrow.js";
import type { ForksLevel, Policy } from "../config/policy.js";
import type { EnvironmentConfig } from "../config/schema.js";
import { environmentMatcher, renderedSourceOf } from "../config/source.js";
import { environmentFiles, renderedChange, renderSettingsFromEnvironment, sourceReadsAny, type RenderedChange, type RenderSettings } from "../planning/environment-files.js";
import type { TarballLimits } from "../config/server.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import type { Clusters } from "../kube/cluster-pool.js";
import type { EnvironmentPlan } from "../plan/types.js";
import { planEnvironment, unrenderedPlan, type PlanTarget } from "../planning/plan-environment.js";
import { concludePlan } from "../plan/summary.js";
import type { Observer } from "../observability/observer.js";
import { checkRunName, renderCheckRun } from "../render/check-run.js";
import { renderPlanComment } from "../render/comment.js";
import { configPath } from "../config/load.js";
import { renderConfigChange } from "../render/config-change.js";
import { renderConfigProblem } from "../render/config-problem.js";
import { planConfigChange } from "./config-change-plan.js";
import { renderPlanFailure, type FailureReport } from "../render/failures.js";
import { renderPlanInterrupted } from "../render/interrupted.js";
import { completeCheckRun, failCheckRun, startCheckRun, type CheckRunHandle } from "./check-runs.js";
import type { GitHubClient } from "./octokit.js";
import type { PullRequestRef } from "./pull-request.js";
import { readRepoAccess } from "./repo-access.js";
import { canaryHoldBack } from "../canary/prepare.js";
import { listChangedFiles, readBaseFiles, readFilesAt, type ChangedFile } from "./repo-reader.js";
import { planCommentMarker, upsertStickyComment } from "./sticky-comment.js";
import type { JobLog } from "./job-log.js";

export interface PlanPullRequestDeps {
  octokit: GitHubClient;
  clusters: Clusters;
  /** The server's policy, which bounds what each repository may do. */
  policy: Policy;
  fieldManager: string;
  configHashKey: string;
  /** The newest head commit seen for this pull request, to never overwrite a newer plan's comment. */
  latestHead: () => string | undefined;
  /** Bound to the repository, pull request and head commit; per environment, to its name too. */
  log: JobLog;
  /** Filled in as the plan goes, so that a failure can be reported on the right check runs. */
  progress?: PlanProgress;
  observer?: Observer;
  /** The caps on reading the head commit's tarball (default: the server's defaults). */
  tarballLimits?: TarballLimits;
  /** The job's shutdown signal: the plan stops, and its check runs say it was interrupted. */
  signal?: AbortSignal;
  /** How kustomize and helm sources are rendered (default: the tools this machine has; see renderSettingsFromEnvironment). */
  render?: RenderSettings;
}

export interface PlanProgress {
  /** The environments whose check runs a failure must complete: every configured one, then those touched. */
  environments?: string[];
  /** Environments whose check run is already completed. */
  completed: Set<string>;
}

export async function planPullRequest(deps: PlanPullRequestDeps, pr: PullRequestRef): Promise<void> {
  const { octokit } = deps;
  const progress = deps.progress ?? { completed: new Set<string>() };
  const access = await readRepoAccess(octokit, { ...pr, policy: deps.policy });
  if (!access.ok) {
    await upsertStickyComment(octokit, { ...pr, marker: planCommentMarker, body: renderConfigProblem({ problem: access.problem, marker: planCommentMarker }) });
    return;
  }
  if (pr.isFork && access.forks === "ignore") return;
  progress.environments = access.environments.map(({ environment }) => environment.name);
  const changed = await listChangedFiles(octokit, pr);
  const candidates = access.environments
    .map((granted) => ({ granted, files: filesOf(granted.environment, changed) }))
    .filter(({ files }) => files.length > 0);
  const editsConfig = changed.some((file) => file.path === configPath || file.previousPath === configPath);
  if (candidates.length === 0 && !editsConfig) return;

  // Each revision is read once, as a tarball, for every environment the pull request may touch;
  // the base only when a rendered source needs it.
  const wanted = candidates.map(({ granted }) => environmentMatcher(granted.environment));
  if (editsConfig) wanted.push((path) => path === configPath);
  const readAt = (sha: string) => readFilesAt(octokit, { ...pr, sha, wanted: (path) => wanted.some((matches) => matches(path)), limits: deps.tarballLimits, ...(deps.signal ? { signal: deps.signal } : {}) });
  let headFiles: Promise<ManifestFile[]> | undefined;
  let baseFiles: Promise<ManifestFile[]> | undefined;
  const readHead = () => (headFiles ??= readAt(pr.headSha));
  const readBase = () => (baseFiles ??= readAt(pr.baseSha));
  const touched: typeof candidates = [];
  for (const candidate of candidates) {
    if (await touches({ environment: candidate.granted.environment, changed: candidate.files, readHead, readBase })) touched.push(candidate);
  }
  progress.environments = touched.map(({ granted }) => granted.environment.name);
  if (touched.length === 0 && !editsConfig) return;

  const plans: EnvironmentPlan[] = [];
  const checkRunUrls: Record<string, string> = {};
  // Downloaded while the first check run is created, not after; a failure is reported where it is
  // awaited, on the check runs.
  if (touched.length > 0) readHead().catch(() => undefined);
  const configChange = editsConfig
    ? renderConfigChange(planConfigChange({ repo: pr, headConfig: (await readHead()).find((file) => file.path === configPath), current: access.config, policy: deps.policy }))
    : undefined;
  for (const { granted, files } of touched) {
    // Shut down: no more check runs are started, and the comment is left as it was.
    if (deps.signal?.aborted) return;
    const checkRun = await startCheckRun(octokit, { ...pr, name: checkRunName(granted.environment.name), headSha: pr.headSha });
    checkRunUrls[granted.environment.name] = checkRun.url;
    const plan = await planOneEnvironment({ deps, pr, forks: access.forks, granted, files, checkRun, readHead, readBase, progress });
    if (plan) plans.push(plan);
  }
  if (deps.signal?.aborted) return;
  const newest = deps.latestHead();
  if (newest !== undefined && newest !== pr.headSha) {
    deps.log.info(`${pr.owner}/${pr.repo}#${pr.number}: plan for ${pr.headSha} superseded by ${newest}; comment left alone`);
    return;
  }
  const body = renderPlanComment({ plans, headSha: pr.headSha, checkRunUrls, marker: planCommentMarker, ...(configChange ? { configChange } : {}) });
  await upsertStickyComment(octokit, { ...pr, marker: planCommentMarker, body });
}

/** Plans one environment and completes its check run; an unexpected failure fails only that check run. */
async function planOneEnvironment(params: {
  deps: PlanPullRequestDeps;
  pr: PullRequestRef;
  forks: ForksLevel;
  granted: GrantedEnvironment;
  files: ChangedFile[];
  checkRun: CheckRunHandle;
  /** Every file of the environments the pull request may touch, at its head and its base commit. */
  readHead: () => Promise<ManifestFile[]>;
  readBase: () => Promise<ManifestFile[]>;
  progress: PlanProgress;
}): Promise<EnvironmentPlan | undefined> {
  const { deps, pr, checkRun } = params;
  const { environment } = params.granted;
  try {
    const target = await targetFor({ deps, pr, forks: params.forks, granted: params.granted });
    const started = Date.now();
    const files = await filesToPlan(params);
    const holdBack = target.mode === "cluster" ? canaryHoldBack({ store: target.store, environment }) : undefined;
    const plan =
      files.kind === "unrendered"
        ? unrenderedPlan({ environment, target, findings: files.findings })
        : await planEnvironment({ environment, head: files.head, base: files.base, headAll: files.headAll, target, fieldManager: deps.fieldManager, configHashKey: deps.configHashKey, ...(deps.signal ? { signal: deps.signal } : {}), ...(holdBack ? { holdBack } : {}) });
    // Requests cut off by the shutdown make a plan that says nothing about the change.
    if (deps.signal?.aborted) throw deps.signal.reason;
    deps.observer?.plan(plan.error ? "error" : concludePlan(plan), Date.now() - started);
    await completeCheckRun(deps.octokit, { ...pr, checkRun, report: renderCheckRun(plan, { headSha: pr.headSha }) });
    params.progress.completed.add(environment.name);
    return plan;
  } catch (error) {
    const interrupted = deps.signal?.aborted === true;
    const failure = interrupted ? renderPlanInterrupted({ environment: environment.name }) : renderPlanFailure({ environment: environment.name, error });
    deps.log.child({ environment: environment.name }).warn(failure.summary);
    await failCheckRun(deps.octokit, { ...pr, checkRun, ...failure, conclusion: interrupted ? "neutral" : "failure" });
    params.progress.completed.add(environment.name);
    return undefined;
  }
}

/**
 * The files to plan: the whole environment at head (so config hashes cover the full desired set
 * and the workloads a changed ConfigMap rolls out are planned too), the changed ones among them,
 * and those at the base. A rendered source is rendered at both commits, and a rendered file
 * counts as changed when its objects' text differs, so the diff and the prune preview are exact.
 */
async function filesToPlan(params: Parameters<typeof planOneEnvironment>[0]): Promise<RenderedChange> {
  const { deps, pr } = params;
  const { environment } = params.granted;
  const inEnvironment = environmentMatcher(environment);
  if (!renderedSourceOf(environment)) {
    const headAll = (await params.readHead()).filter((file) => inEnvironment(file.path));
    const changedAtHead = new Set(params.files.filter((file) => file.status !== "removed").map((file) => file.path));
    const head = headAll.filter((file) => changedAtHead.has(file.path));
    const base = await readBaseFiles(deps.octokit, { pr, files: params.files });
    return { kind: "files", head, base, headAll };
  }
  const render = { ...(deps.render ?? renderSettingsFromEnvironment()), ...(deps.signal ? { signal: deps.signal } : {}) };
  const [atHead, atBase] = await Promise.all([
    params.readHead().then((files) => environmentFiles({ environment, files: files.filter((file) => inEnvironment(file.path)), render })),
    params.readBase().then((files) => environmentFiles({ environment, files: files.filter((file) => inEnvironment(file.path)), render })),
  ]);
  return renderedChange(atHead, atBase);
}

/** Whether a pull request's changed files touch an environment: any under its paths, or any its rendered source reads at the head or the base. */
async function touches(params: { environment: EnvironmentConfig; changed: ChangedFile[]; readHead: () => Promise<ManifestFile[]>; readBase: () => Promise<ManifestFile[]> }): Promise<boolean> {
  const { environment } = params;
  if (!renderedSourceOf(environment)) return true;
  const paths = params.changed.flatMap((file) => (file.previousPath ? [file.path, file.previousPath] : [file.path]));
  const inEnvironment = environmentMatcher(environment);
  for (const read of [params.readHead, params.readBase]) {
    if (await sourceReadsAny({ environment, files: (await read()).filter((file) => inEnvironment(file.path)), paths })) return true;
  }
  return false;
}

async function targetFor(params: { deps: PlanPullRequestDeps; pr: PullRequestRef; forks: ForksLevel; granted: GrantedEnvironment }): Promise<PlanTarget> {
  if (params.pr.isFork && params.forks === "validate") {
    return { mode: "validate-only" };
  }
  const { environment, identity } = params.granted;
  return { mode: "cluster", ...(await params.deps.clusters.access(environment.context, identity)) };
}

/**
 * The changed files under an environment's paths. A file renamed across the environment's
 * boundary counts as added (moved in) or removed (moved out).
 */
function filesOf(environment: EnvironmentConfig, files: ChangedFile[]): ChangedFile[] {
  const matches = environmentMatcher(environment);
  return files.flatMap((file): ChangedFile[] => {
    const headIn = matches(file.path);
    const baseIn = matches(file.previousPath ?? file.path);
    if (!headIn && !baseIn) return [];
    if (headIn && !baseIn) return [{ path: file.path, status: "added" }];
    if (!headIn) return [{ path: file.previousPath ?? file.path, status: "removed" }];
    return [file];
  });
}

/**
 * A failure outside any one environment's plan (reading the configuration or the changed files,
 * writing the comment): every environment whose check run is not yet complete gets a failed one,
 * under the name a branch protection rule waits for. Without a configuration there are no names,
 * and the failure goes on `slipway/plan`.
 */
export async function reportPlanFailure(octokit: GitHubClient, params: { pr: PullRequestRef; progress: PlanProgress; failure: FailureReport }): Promise<void> {
  const { pr, progress, failure } = params;
  const names = progress.environments
    ? progress.environments.filter((environment) => !progress.completed.has(environment)).map(checkRunName)
    : ["slipway/plan"];
  for (const name of names) {
    await octokit.rest.checks.create({
      owner: pr.owner,
      repo: pr.repo,
      name,
      head_sha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      completed_at: new Date().toISOString(),
      output: failure,
    });
  }
}
