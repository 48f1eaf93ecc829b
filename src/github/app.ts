// The webhook handlers: translate the payload, de-duplicate, enqueue, and answer GitHub at
// once. Each job is one event's error boundary: a crash becomes a failed check run with a
// message and a log line with the delivery id.
import type { Context, Probot } from "probot";
import type { Clusters } from "../kube/cluster-pool.js";
import type { WorkQueue } from "../jobs/queue.js";
import { parseCommand } from "./commands.js";
import { renderNotAllowed, renderUnknownCommand } from "../render/command-replies.js";
import { renderJobFailure, type FailureReport } from "../render/failures.js";
import type { GitHubClient } from "./octokit.js";
import type { EnvironmentConfig } from "../config/schema.js";
import { applyCheckRunName } from "../render/apply-report.js";
import { applyPush } from "./apply-push.js";
import { canWrite } from "./permissions.js";
import type { Policy } from "../config/policy.js";
import type { TarballLimits } from "../config/server.js";
import { readRepoAccess } from "./repo-access.js";
import { reportConfigProblem } from "./check-runs.js";
import { planPullRequest, reportPlanFailure, type PlanProgress } from "./plan-pull-request.js";
import { toPullRequestRef, toRepoRef, type PullRequestRef, type RepoRef } from "./pull-request.js";

export interface SlipwayDeps {
  clusters: Clusters;
  queue: WorkQueue;
  /** The server's policy: what each repository may do. */
  policy: Policy;
  fieldManager: string;
  configHashKey: string;
  /** The caps on reading a repository's tarball (default: the server's defaults). */
  tarballLimits?: TarballLimits;
}

export function createSlipwayApp(deps: SlipwayDeps): (app: Probot) => void {
  return (app: Probot) => {
    const latestHeads = new Map<string, string>();
    const keyOf = (pr: RepoRef & { number: number }) => `${pr.owner}/${pr.repo}#${pr.number}`;
    const seenHead = (pr: PullRequestRef) => latestHeads.set(keyOf(pr), pr.headSha);

    const runPlan = (context: Context, pr: PullRequestRef, octokit: GitHubClient) => {
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
              latestHead: () => latestHeads.get(keyOf(pr)),
              log: context.log,
              progress,
            },
            pr,
          ),
      );
    };

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"], (context) => {
      if (!deps.queue.acceptDelivery(context.id)) return;
      const pr = toPullRequestRef(toRepoRef(context.payload.repository), context.payload.pull_request);
      seenHead(pr);
      deps.queue.enqueue(keyOf(pr), () => runPlan(context, pr, context.octokit));
    });

    app.on("issue_comment.created", (context) => {
      const { issue, comment } = context.payload;
      if (!issue.pull_request || comment.user?.type === "Bot") return;
      const command = parseCommand(comment.body);
      if (!command || !deps.queue.acceptDelivery(context.id)) return;
      const repo = toRepoRef(context.payload.repository);
      const username = comment.user?.login ?? "";
      deps.queue.enqueue(`${keyOf({ ...repo, number: issue.number })}:command:${context.id}`, () =>
        boundary(context, undefined, async () => {
          const reply = (body: string) => context.octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body });
          if (!(await canWrite(context.octokit, { ...repo, username }))) {
            await reply(renderNotAllowed(username));
            return;
          }
          if (command.kind === "unknown") {
            await reply(renderUnknownCommand(command.text));
            return;
          }
          const pr = await fetchPullRequest(context.octokit, repo, issue.number);
          seenHead(pr);
          await runPlan(context, pr, context.octokit);
        }),
      );
    });

    /**
     * Applies the environments `select` picks (by the branch pushed, or the one a re-run names),
     * with the configuration at the commit: the one its reviewers saw.
     */
    const runApply = (context: Context, params: { repo: RepoRef; sha: string; defaultBranch: string; select: (environment: EnvironmentConfig, branch: string) => boolean }) => {
      const { repo, sha } = params;
      deps.queue.enqueue(`${repo.owner}/${repo.repo}:apply:${sha}`, () =>
        boundary(context, undefined, async () => {
          const access = await readRepoAccess(context.octokit, { ...repo, ref: sha, policy: deps.policy });
          if (!access.ok) {
            context.log.warn(`${repo.owner}/${repo.repo}: no cluster access (${access.problem.kind}); ${sha} not applied`);
            await reportConfigProblem(context.octokit, { ...repo, sha, problem: access.problem });
            return;
          }
          for (const granted of access.environments) {
            const branch = granted.environment.branch ?? params.defaultBranch;
            if (!params.select(granted.environment, branch)) continue;
            // One apply per environment at a time: the newest waiting push of an environment wins.
            deps.queue.enqueue(`${repo.owner}/${repo.repo}:apply-env:${granted.environment.name}`, () =>
              boundary(context, undefined, async () => {
                await applyPush(
                  { octokit: context.octokit, clusters: deps.clusters, fieldManager: deps.fieldManager, configHashKey: deps.configHashKey, tarballLimits: deps.tarballLimits, log: context.log },
                  { ...repo, sha, granted, branch },
                );
              }),
            );
          }
        }),
      );
    };

    app.on("push", (context) => {
      const { payload } = context;
      if (payload.deleted || !payload.ref.startsWith("refs/heads/") || !deps.queue.acceptDelivery(context.id)) return;
      const pushed = payload.ref.slice("refs/heads/".length);
      runApply(context, { repo: toRepoRef(payload.repository), sha: payload.after, defaultBranch: payload.repository.default_branch, select: (_, branch) => branch === pushed });
    });

    app.on("check_run.rerequested", (context) => {
      const { check_run: checkRun } = context.payload;
      if (!checkRun.name.startsWith("slipway/") || !deps.queue.acceptDelivery(context.id)) return;
      const repo = toRepoRef(context.payload.repository);
      if (checkRun.name.startsWith("slipway/apply")) {
        // Re-applies only if the commit is still its branch's head: applyPush checks.
        runApply(context, { repo, sha: checkRun.head_sha, defaultBranch: context.payload.repository.default_branch, select: (environment) => applyCheckRunName(environment.name) === checkRun.name });
        return;
      }
      for (const { number } of checkRun.pull_requests) {
        deps.queue.enqueue(keyOf({ ...repo, number }), () =>
          boundary(context, undefined, async () => {
            const pr = await fetchPullRequest(context.octokit, repo, number);
            seenHead(pr);
            await runPlan(context, pr, context.octokit);
          }),
        );
      }
    });
  };
}

async function fetchPullRequest(octokit: GitHubClient, repo: RepoRef, number: number): Promise<PullRequestRef> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return toPullRequestRef(repo, data);
}

/**
 * One event's error boundary: log with the delivery id and, when the job knows where, report
 * the failure on GitHub (a failed check run that says so).
 */
async function boundary(context: Context, report: ((failure: FailureReport) => Promise<void>) | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.log.error({ delivery: context.id, event: context.name }, `Slipway failed: ${message}`);
    await report?.(renderJobFailure({ error, delivery: context.id })).catch((reportError: unknown) =>
      context.log.error({ delivery: context.id }, `reporting the failure failed too: ${String(reportError)}`),
    );
  }
}
