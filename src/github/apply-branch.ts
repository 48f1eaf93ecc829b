// What pushes, re-runs and the reconcile ask of one branch, applied: only the branch's head is
// ever applied, with the configuration at that commit, to each environment of the branch.
//   1. read the branch's head through the API (never trust a delivery's commit);
//   2. read .github/slipway.yml at the head, narrowed to the server's policy;
//   3. say "not the head" on the check runs of pushed or re-run commits that are not the head;
//   4. apply the head to every environment of the branch that was pushed, re-run, or (for the
//      reconcile) whose inventory records another commit; for the reconcile, check the drift of
//      those whose inventory records the head (check-drift.ts), and queue a correction when
//      `drift: correct` and the drift is new;
//   5. an environment whose Lease another apply holds (another copy of the app) is not waited for
//      in the job's slot: the job comes back for it later (`deferLeaseHeld`), for up to ten
//      minutes, with this process's sightings of the Lease judging when its holder's claim lapses.
// Several waiting pushes merge into one job, so the newest commit by ancestry (the head) wins,
// whatever order the deliveries came in.
import type { GrantedEnvironment } from "../config/narrow.js";
import type { Policy } from "../config/policy.js";
import { environmentLeaseHolder } from "../apply/apply-environment.js";
import { readInventory } from "../apply/inventory.js";
import { defaultLeaseTiming } from "../apply/lease-types.js";
import { inventoryLocation } from "../desired/desired-state.js";
import { renderNotBranchHead } from "../render/apply-report.js";
import { applyPush, type ApplyPushDeps } from "./apply-push.js";
import { reportCompletedCheckRun, reportConfigProblem } from "./check-runs.js";
import { isHttpStatus, type GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { readRepoAccess } from "./repo-access.js";
import { checkDrift } from "./check-drift.js";
import type { BoundedMap } from "../util/bounded-map.js";

/** Why a branch is to be applied; jobs for one branch merge these. */
export interface BranchTriggers {
  /** Commits pushed to the branch. */
  pushed: string[];
  /** "Re-run" of an environment's apply check run, on a commit. */
  reruns: Array<{ sha: string; environment: string }>;
  /** The periodic reconcile: apply the head wherever the inventory records another commit. */
  reconcile: boolean;
  /** Environments a canary asks to apply: its promotion, or `/canary retry`. */
  canary?: string[];
  /** Drift to correct (`drift: correct`): re-apply an environment at a commit, if still the head. */
  corrections?: Array<{ sha: string; environment: string }>;
  /** Environments whose Lease another apply held: applied at a commit if still the head; `since` is when that was first found. */
  deferred?: DeferredApply[];
}

export interface DeferredApply {
  sha: string;
  environment: string;
  /** When a job first found the Lease held (ms since the epoch). */
  since: number;
}

/** What the reconcile needs to check drift: the last drift seen, and how to queue a correction. */
export interface DriftWatch {
  memory: BoundedMap<string, string>;
  correct: (correction: { sha: string; environment: string }) => void;
}

export function mergeTriggers(waiting: BranchTriggers, incoming: BranchTriggers): BranchTriggers {
  const corrections = mergeTargets(waiting.corrections ?? [], incoming.corrections ?? []);
  const deferred = mergeTargets(waiting.deferred ?? [], incoming.deferred ?? []);
  return {
    pushed: [...new Set([...waiting.pushed, ...incoming.pushed])],
    reruns: mergeTargets(waiting.reruns, incoming.reruns),
    reconcile: waiting.reconcile || incoming.reconcile,
    canary: [...new Set([...(waiting.canary ?? []), ...(incoming.canary ?? [])])],
    ...(corrections.length > 0 ? { corrections } : {}),
    ...(deferred.length > 0 ? { deferred } : {}),
  };
}

type CommitTarget = { sha: string; environment: string };
const mergeTargets = <T extends CommitTarget>(waiting: T[], incoming: T[]): T[] => [
  ...waiting,
  ...incoming.filter((target) => !waiting.some((known) => known.sha === target.sha && known.environment === target.environment)),
];

export interface BranchTarget extends RepoRef {
  branch: string;
  defaultBranch: string;
  triggers: BranchTriggers;
}

/** How a job comes back for environments whose Lease another apply held. */
export interface LeaseDeferral {
  defer: (deferred: DeferredApply[]) => void;
  /** Past this long since an environment was first found held, the job stops coming back (default 10 minutes). */
  giveUpMs?: number;
  now?: () => number;
}

export async function applyBranch(deps: ApplyPushDeps & { policy: Policy; drift?: DriftWatch; deferral?: LeaseDeferral }, target: BranchTarget): Promise<void> {
  const { octokit, log } = deps;
  const head = await branchHead(octokit, target);
  const { triggers } = target;
  if (head === undefined) {
    log.info(`${target.owner}/${target.repo}: branch ${target.branch} is gone; nothing to apply`);
    return;
  }
  const access = await readRepoAccess(octokit, { ...target, ref: head, policy: deps.policy });
  if (!access.ok) {
    log.warn(`${target.owner}/${target.repo}@${head}: no cluster access (${access.problem.kind}); nothing applied`);
    if (triggers.pushed.includes(head) || triggers.reruns.some((rerun) => rerun.sha === head)) {
      await reportConfigProblem(octokit, { ...target, sha: head, problem: access.problem });
    }
    return;
  }
  const environments = access.environments.filter((granted) => (granted.environment.branch ?? target.defaultBranch) === target.branch);
  await reportStale({ octokit, target, head, environments });
  const deferred: DeferredApply[] = [];
  for (const granted of environments) {
    // Shut down: the environments not yet started are left to the next start's reconcile.
    if (deps.signal?.aborted) return;
    const scoped = { ...deps, log: log.child({ environment: granted.environment.name, commit: head }) };
    if (!(await wanted({ deps: scoped, target, head, granted }))) continue;
    const waiting = deferralOf(deps.deferral, target, head, granted);
    if (waiting && (await leaseHeld(scoped, granted, head))) {
      deferred.push(waiting);
      continue;
    }
    // A job that comes back later waits only a retry period for a Lease taken since it looked.
    const outcome = await applyPush(deps.deferral ? { ...scoped, leaseWaitMs: defaultLeaseTiming.retryPeriodMs } : scoped, { ...target, sha: head, granted, branch: target.branch });
    if (outcome === "lease-held" && waiting) deferred.push(waiting);
  }
  if (deferred.length > 0) deps.deferral?.defer(deferred);
}

/** The deferral to come back with, unless the job cannot come back or has come back for ten minutes. */
function deferralOf(deferral: LeaseDeferral | undefined, target: BranchTarget, head: string, granted: GrantedEnvironment): DeferredApply | undefined {
  if (!deferral) return undefined;
  const now = deferral.now?.() ?? Date.now();
  const environment = granted.environment.name;
  const since = target.triggers.deferred?.find((item) => item.sha === head && item.environment === environment)?.since ?? now;
  return now - since < (deferral.giveUpMs ?? 10 * 60_000) ? { sha: head, environment, since } : undefined;
}

/**
 * Whether another apply holds the environment's Lease now: one read, and this process's sightings.
 * A cluster that cannot say is not waited for: the apply then meets the same failure and reports
 * it on its check run.
 */
async function leaseHeld(deps: ApplyPushDeps, granted: GrantedEnvironment, head: string): Promise<boolean> {
  try {
    const cluster = await deps.clusters.access(granted.environment.context, granted.identity);
    const holder = await environmentLeaseHolder(cluster.store, { environment: granted.environment, context: cluster.context });
    if (holder) deps.log.info(`Lease of ${granted.environment.name}: held by ${holder}; coming back for ${head.slice(0, 7)} later`);
    return holder !== undefined;
  } catch {
    return false;
  }
}

/** Pushed or re-run commits that are not the head: one skipped check run per environment, saying why. */
async function reportStale(params: { octokit: GitHubClient; target: BranchTarget; head: string; environments: GrantedEnvironment[] }): Promise<void> {
  const { octokit, target, head } = params;
  const stale = [
    ...target.triggers.pushed.filter((sha) => sha !== head).flatMap((sha) => params.environments.map((granted) => ({ sha, environment: granted.environment.name }))),
    ...target.triggers.reruns.filter((rerun) => rerun.sha !== head),
    ...(target.triggers.deferred ?? []).filter((waiting) => waiting.sha !== head).map(({ sha, environment }) => ({ sha, environment })),
  ];
  for (const { sha, environment } of stale) {
    await reportCompletedCheckRun(octokit, { ...target, sha, report: renderNotBranchHead({ environment, sha, branch: target.branch, head }) });
  }
}

async function wanted(params: { deps: ApplyPushDeps & { drift?: DriftWatch }; target: BranchTarget; head: string; granted: GrantedEnvironment }): Promise<boolean> {
  const { deps, target, head, granted } = params;
  const { environment } = granted;
  const names = (list: CommitTarget[] | undefined) => (list ?? []).some((item) => item.sha === head && item.environment === environment.name);
  if (target.triggers.pushed.includes(head) || names(target.triggers.reruns) || names(target.triggers.corrections) || names(target.triggers.deferred)) return true;
  if (target.triggers.canary?.includes(environment.name)) return true;
  if (!target.triggers.reconcile) return false;
  // The reconcile applies only what is missing: a push lost while the server was down, a webhook
  // GitHub gave up on.
  const cluster = await deps.clusters.access(environment.context, granted.identity);
  const inventory = await readInventory(cluster.store, inventoryLocation(environment));
  if (inventory.commit !== head) return true;
  if (environment.drift === "off" || !deps.drift) return false;
  const checked = await checkDrift({ ...deps, memory: deps.drift.memory }, { ...target, commit: head, granted });
  // Only new drift is corrected: a correction that cannot take a field back is not retried every interval.
  if (environment.drift === "correct" && checked?.isNew && checked.drift.objects.length > 0) deps.drift.correct({ sha: head, environment: environment.name });
  return false;
}

/** The commit the branch points at now, through the API: the only commit an apply may apply. */
export async function branchHead(octokit: GitHubClient, target: RepoRef & { branch: string }): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getBranch({ owner: target.owner, repo: target.repo, branch: target.branch });
    return data.commit.sha;
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
}
