// The webhook handlers: translate the payload, de-duplicate, enqueue, and answer GitHub at
// once. Each job is one event's error boundary: a crash becomes a failed check run with a
// message and a log line with the delivery id.
import type { Context, Probot } from "probot";
import type { Clusters } from "../kube/cluster-pool.js";
import type { JobSpec, WorkQueue } from "../jobs/queue.js";
import { parseCommand } from "./commands.js";
import { renderNotAllowed, renderUnknownCommand } from "../render/command-replies.js";
import { renderJobFailure, type FailureReport } from "../render/failures.js";
import type { GitHubClient } from "./octokit.js";
import type { Policy } from "../config/policy.js";
import { applyBranch, mergeTriggers, type BranchTriggers, type DeferredApply } from "./apply-branch.js";
import { startReconcile } from "./reconcile.js";
import { BoundedMap } from "../util/bounded-map.js";
import type { Observer } from "../observability/observer.js";
import { canWrite } from "./permissions.js";
import type { TarballLimits } from "../config/server.js";
import { readRepoAccess } from "./repo-access.js";
import { CanaryService } from "./canary.js";
import { canaryButtonVerb } from "../render/canary-actions.js";
import { renderRevertButtonAnswer } from "../render/canary-revert.js";
import { planPullRequest, reportPlanFailure, type PlanProgress } from "./plan-pull-request.js";
import { toPullRequestRef, toRepoRef, type PullRequestRef, type RepoRef } from "./pull-request.js";
import { renderSettingsFromEnvironment, type RenderSettings } from "../planning/environment-files.js";

export interface SlipwayDeps {
  clusters: Clusters;
  queue: WorkQueue;
  /** The server's policy: what each repository may do. */
  policy: Policy;
  fieldManager: string;
  configHashKey: string;
  /** Reconcile every installed repository's environments on start and then this often (default: never, as in tests). */
  reconcileIntervalMs?: number;
  /** Told of every plan and apply, for the metrics (default: nothing). */
  observer?: Observer;
  /** The caps on reading a repository's tarball (default: the server's defaults). */
  tarballLimits?: TarballLimits;
  /** How often a canary waiting on the cluster is looked at (default 5 s). */
  canaryPollMs?: number;
  /** How often a canary's check that moved nothing may update its check run (default 60 s). */
  canaryCheckRunRefreshMs?: number;
  /** The last drift reported per environment (default: one per app; without one, jobs check no drift). */
  driftMemory?: BoundedMap<string, string>;
  /** How long an apply job waits before it comes back for an environment whose Lease another apply held (default 10 s). */
  leaseRetryMs?: number;
  /** How kustomize and helm sources are rendered (default: the tools SLIPWAY_KUSTOMIZE and SLIPWAY_HELM name, else those on PATH). */
  render?: RenderSettings;
}

export function createSlipwayApp(given: SlipwayDeps): (app: Probot) => void {
  const deps = { ...given, driftMemory: given.driftMemory ?? new BoundedMap<string, string>(10_000), render: given.render ?? renderSettingsFromEnvironment() };
  return (app: Probot) => {
    const canaries = new CanaryService({
      queue: deps.queue,
      clusters: deps.clusters,
      policy: deps.policy,
      fieldManager: deps.fieldManager,
      installationClient: (installation) => app.auth(installation),
      applyEnvironment: ({ repo, installation, branch, environment }) => {
        void (async () => {
          const octokit = await app.auth(installation);
          const { data } = await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo });
          enqueueBranchApply(deps, {
            octokit,
            owner: `installation:${installation}`,
            scope: { log: app.log, delivery: `canary-${environment}`, event: "canary" },
            repo,
            branch,
            defaultBranch: data.default_branch,
            triggers: { pushed: [], reruns: [], reconcile: false, canary: [environment] },
            canaries,
          });
        })().catch((error: unknown) => app.log.warn(`canary apply of ${repo.owner}/${repo.repo} ${environment}: ${error instanceof Error ? error.message : String(error)}`));
      },
      log: app.log,
      ...(deps.canaryPollMs ? { pollMs: deps.canaryPollMs } : {}),
      ...(deps.canaryCheckRunRefreshMs ? { checkRunRefreshMs: deps.canaryCheckRunRefreshMs } : {}),
    });
    // The newest head seen per pull request, for the pull requests active recently.
    const latestHeads = new BoundedMap<string, string>(10_000);
    const keyOf = (pr: RepoRef & { number: number }) => `${pr.owner}/${pr.repo}#${pr.number}`;
    const seenHead = (pr: PullRequestRef) => latestHeads.set(keyOf(pr), pr.headSha);

    const runPlan = (context: Context, pr: PullRequestRef, octokit: GitHubClient, signal: AbortSignal) => {
      const progress: PlanProgress = { completed: new Set() };
      return boundary(
        context,
        (failure) => reportPlanFailure(octokit, { pr, progress, failure }),
        () =>
          planPullRequest(
            {
              octokit,
              clusters: deps.clusters,
              policy: deps.policy,
              fieldManager: deps.fieldManager,
              configHashKey: deps.configHashKey,
              tarballLimits: deps.tarballLimits,
              render: deps.render,
              latestHead: () => latestHeads.get(keyOf(pr)),
              ...(deps.observer ? { observer: deps.observer } : {}),
              log: context.log.child({ delivery: context.id, repository: `${pr.owner}/${pr.repo}`, pullRequest: pr.number, commit: pr.headSha }),
              progress,
              signal,
            },
            pr,
          ),
      );
    };

    /** Who a job is for, for the queue's fair share: the installation, or the repository's owner. */
    const ownerOf = (context: Context, repo: RepoRef): string => {
      const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
      return installation !== undefined ? `installation:${installation}` : `owner:${repo.owner}`;
    };

    /** The newest request to plan a pull request replaces one still waiting. */
    const enqueuePlan = (context: Context, pr: RepoRef & { number: number }, resolve: () => Promise<PullRequestRef>) => {
      deps.queue.enqueue({
        pool: "plan",
        key: keyOf(pr),
        owner: ownerOf(context, pr),
        payload: resolve,
        run: (resolveNewest, signal) =>
          boundary(context, undefined, async () => {
            const newest = await resolveNewest();
            seenHead(newest);
            await runPlan(context, newest, context.octokit, signal);
          }),
      });
    };

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"], (context) => {
      if (!deps.queue.acceptDelivery(context.id)) return;
      const pr = toPullRequestRef(toRepoRef(context.payload.repository), context.payload.pull_request);
      seenHead(pr);
      enqueuePlan(context, pr, () => Promise.resolve(pr));
    });

    app.on("issue_comment.created", (context) => {
      const { issue, comment } = context.payload;
      if (!issue.pull_request || comment.user?.type === "Bot") return;
      const command = parseCommand(comment.body);
      if (!command || !deps.queue.acceptDelivery(context.id)) return;
      const repo = toRepoRef(context.payload.repository);
      const username = comment.user?.login ?? "";
      deps.queue.enqueue({
        pool: "plan",
        // Each command is its own job: a command must never be merged away by another.
        key: `${keyOf({ ...repo, number: issue.number })}:command:${context.id}`,
        owner: ownerOf(context, repo),
        payload: undefined,
        run: (_payload, signal) =>
          boundary(context, undefined, async () => {
            const reply = (body: string) => context.octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body });
            if (!(await canWrite(context.octokit, { ...repo, username }))) {
              await reply(renderNotAllowed(username));
              return;
            }
            if (command.kind === "unknown") {
              await reply(renderUnknownCommand(command.text, command.problem));
              return;
            }
            if (command.kind === "canary") {
              const access = await readRepoAccess(context.octokit, { ...repo, policy: deps.policy });
              if (!access.ok) return;
              const { data: pull } = await context.octokit.rest.pulls.get({ ...repo, pull_number: issue.number });
              const answer = await canaries.command({
                octokit: context.octokit,
                repo,
                installation: context.payload.installation?.id ?? 0,
                environments: access.environments,
                verb: command.verb,
                full: command.full,
                ...(command.workload ? { workload: command.workload } : {}),
                target: { pullRequest: issue.number, ...(pull.merge_commit_sha ? { mergeCommit: pull.merge_commit_sha } : {}) },
                by: username,
                via: "pull request comment",
                id: `comment-${comment.id}`,
              });
              if (answer) {
                await context.octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: answer.changed ? "+1" : "confused" });
                await reply(answer.reply);
              }
              return;
            }
            const pr = await fetchPullRequest(context.octokit, repo, issue.number);
            seenHead(pr);
            await runPlan(context, pr, context.octokit, signal);
          }),
      });
    });

    /** Applies a branch's head to its environments, once for all the triggers that wait for it. */
    const enqueueApply = (context: Context, params: { repo: RepoRef; branch: string; defaultBranch: string; triggers: BranchTriggers }) =>
      enqueueBranchApply(deps, { ...params, octokit: context.octokit, owner: ownerOf(context, params.repo), scope: context, canaries });

    if (deps.reconcileIntervalMs) {
      startReconcile({
        app,
        intervalMs: deps.reconcileIntervalMs,
        policy: deps.policy,
        enqueue: (params) => enqueueBranchApply(deps, { ...params, canaries }),
        resumeCanaries: async ({ installation, repository, environments }) => {
          for (const granted of environments) await canaries.resume({ granted, repository, installation });
        },
      });
    }

    app.on("push", (context) => {
      const { payload } = context;
      if (payload.deleted || !payload.ref.startsWith("refs/heads/") || !deps.queue.acceptDelivery(context.id)) return;
      enqueueApply(context, {
        repo: toRepoRef(payload.repository),
        branch: payload.ref.slice("refs/heads/".length),
        defaultBranch: payload.repository.default_branch,
        triggers: { pushed: [payload.after], reruns: [], reconcile: false },
      });
    });

    // The buttons of a canary's check run: Promote, Abort, Pause, Resume, and a failed canary's Revert.
    app.on("check_run.requested_action", (context) => {
      const { check_run: checkRun, requested_action: action } = context.payload;
      const verb = action?.identifier ? canaryButtonVerb(action.identifier) : undefined;
      if (!verb || !checkRun.name.startsWith("slipway/canary") || !checkRun.external_id || !deps.queue.acceptDelivery(context.id)) return;
      const repo = toRepoRef(context.payload.repository);
      const username = context.payload.sender.login;
      deps.queue.enqueue({
        pool: "canary",
        key: `${repo.owner}/${repo.repo}:canary-button:${context.id}`,
        owner: ownerOf(context, repo),
        payload: undefined,
        run: () =>
          boundary(context, undefined, async () => {
            if (!(await canWrite(context.octokit, { ...repo, username }))) {
              context.log.warn(`${repo.owner}/${repo.repo}: ${username} pressed ${verb} on ${checkRun.name} without write access; ignored`);
              return;
            }
            const access = await readRepoAccess(context.octokit, { ...repo, policy: deps.policy });
            if (!access.ok) return;
            const answer = await canaries.command({
              octokit: context.octokit,
              repo,
              installation: context.payload.installation?.id ?? 0,
              environments: access.environments,
              verb,
              full: false,
              target: { checkRun: checkRun.external_id ?? "", headSha: checkRun.head_sha },
              by: username,
              via: "check run button",
              id: `button-${context.id}`,
            });
            if (!answer) return;
            // A revert's answer is a pull request to review, or why there is none: it goes where a
            // `/canary revert` would have been answered. Other buttons have no comment to answer: a
            // refusal (an old run's button, say) goes to the log.
            if (verb === "revert" && answer.pullRequest !== undefined) {
              await context.octokit.rest.issues.createComment({ ...repo, issue_number: answer.pullRequest, body: renderRevertButtonAnswer({ username, checkRun: checkRun.name, reply: answer.reply }) });
            } else {
              context.log.info(`${repo.owner}/${repo.repo}: ${checkRun.name}: ${verb} by ${username}: ${answer.changed ? "done" : answer.reply}`);
            }
          }),
      });
    });

    app.on("check_run.rerequested", (context) => {
      const { check_run: checkRun } = context.payload;
      if (!checkRun.name.startsWith("slipway/") || !deps.queue.acceptDelivery(context.id)) return;
      const repo = toRepoRef(context.payload.repository);
      const environment = /^slipway\/apply \((.+)\)$/.exec(checkRun.name)?.[1];
      if (environment !== undefined) {
        // The branch comes from the configuration at that commit; the job re-applies only if the
        // commit is still that branch's head.
        const defaultBranch = context.payload.repository.default_branch;
        deps.queue.enqueue({
          pool: "apply",
          key: `${repo.owner}/${repo.repo}:rerun:${context.id}`,
          owner: ownerOf(context, repo),
          payload: undefined,
          run: () =>
            boundary(context, undefined, async () => {
              const access = await readRepoAccess(context.octokit, { ...repo, ref: checkRun.head_sha, policy: deps.policy });
              const granted = access.ok ? access.environments.find((candidate) => candidate.environment.name === environment) : undefined;
              if (!granted) return;
              enqueueApply(context, { repo, branch: granted.environment.branch ?? defaultBranch, defaultBranch, triggers: { pushed: [], reruns: [{ sha: checkRun.head_sha, environment }], reconcile: false } });
            }),
        });
        return;
      }
      for (const { number } of checkRun.pull_requests) {
        enqueuePlan(context, { ...repo, number }, () => fetchPullRequest(context.octokit, repo, number));
      }
    });
  };
}

/** One apply job per repository branch; every push, re-run and reconcile for it merges into the one waiting. */
export function enqueueBranchApply(
  deps: SlipwayDeps,
  params: { octokit: GitHubClient; owner: string; scope: Context | JobScope; repo: RepoRef; branch: string; defaultBranch: string; triggers: BranchTriggers; canaries?: CanaryService },
): boolean {
  const installation = /^installation:(\d+)$/.exec(params.owner)?.[1];
  const { repo, branch, scope } = params;
  const log = scope.log.child({ delivery: "octokit" in scope ? scope.id : scope.delivery, repository: `${repo.owner}/${repo.repo}`, branch });
  const { driftMemory } = deps;
  // A correction is one more trigger of the branch's job, queued behind the one that found the drift.
  const drift = driftMemory && { memory: driftMemory, correct: (correction: { sha: string; environment: string }) => void enqueueBranchApply(deps, { ...params, triggers: { pushed: [], reruns: [], reconcile: false, corrections: [correction] } }) };
  // An environment whose Lease another apply holds: the job comes back for it, holding no slot meanwhile.
  const deferral = { defer: (deferred: DeferredApply[]) => deps.queue.enqueueLater(deps.leaseRetryMs ?? 10_000, job({ pushed: [], reruns: [], reconcile: false, deferred })) };
  const job = (triggers: BranchTriggers): JobSpec<BranchTriggers> => ({
    pool: "apply",
    key: `${repo.owner}/${repo.repo}:branch:${branch}`,
    owner: params.owner,
    payload: triggers,
    merge: mergeTriggers,
    run: (merged, signal) =>
      boundary(scope, undefined, () =>
        applyBranch(
          { octokit: params.octokit, clusters: deps.clusters, policy: deps.policy, fieldManager: deps.fieldManager, configHashKey: deps.configHashKey, tarballLimits: deps.tarballLimits, render: deps.render ?? renderSettingsFromEnvironment(), log, signal, deferral, ...(deps.observer ? { observer: deps.observer } : {}), ...(drift ? { drift } : {}), ...(params.canaries && installation ? { canaries: params.canaries, installation: Number(installation) } : {}) },
          { ...repo, branch, defaultBranch: params.defaultBranch, triggers: merged },
        ),
      ),
  });
  return deps.queue.enqueue(job(params.triggers));
}

async function fetchPullRequest(octokit: GitHubClient, repo: RepoRef, number: number): Promise<PullRequestRef> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return toPullRequestRef(repo, data);
}

/**
 * One event's error boundary: log with the delivery id and, when the job knows where, report
 * the failure on GitHub (a failed check run that says so).
 */
async function boundary(scope: Context | JobScope, report: ((failure: FailureReport) => Promise<void>) | undefined, work: () => Promise<void>): Promise<void> {
  const { log, delivery, event } = "octokit" in scope ? { log: scope.log, delivery: scope.id, event: scope.name } : scope;
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error({ delivery, event }, `Slipway failed: ${message}`);
    await report?.(renderJobFailure({ error, delivery })).catch((reportError: unknown) => log.error({ delivery }, `reporting the failure failed too: ${String(reportError)}`));
  }
}

/** A job that no webhook delivered (the reconcile): what its log lines say it was. */
export interface JobScope {
  log: Pick<Context["log"], "info" | "warn" | "error" | "child">;
  delivery: string;
  event: string;
}

