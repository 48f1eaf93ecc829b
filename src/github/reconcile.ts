// Missed work is recovered: on start, and then on a timer, every installed repository's
// environments are reconciled. GitHub does not redeliver a webhook that timed out, and a push
// made while the server was down is never delivered at all; the reconcile finds each branch an
// environment applies from, and queues an apply of its head (the same job, queue, Lease and
// checks as a push), which applies only where the inventory records another commit.
import type { GrantedEnvironment } from "../config/narrow.js";
import type { Probot } from "probot";
import type { Policy } from "../config/policy.js";
import { ruleFor } from "../config/policy.js";
import type { BranchTriggers } from "./apply-branch.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { readRepoAccess } from "./repo-access.js";

export interface ReconcileJob {
  octokit: GitHubClient;
  owner: string;
  scope: { log: Probot["log"]; delivery: string; event: string };
  repo: RepoRef;
  branch: string;
  defaultBranch: string;
  triggers: BranchTriggers;
}

export interface ReconcileParams {
  app: Probot;
  policy: Policy;
  intervalMs: number;
  /** Queues an apply job; false when the queue takes no more work (shutting down). */
  enqueue: (job: ReconcileJob) => boolean;
  /** Picks up the repository's canaries that are not final (after a restart, ticks are in no queue). */
  resumeCanaries?: (params: { installation: number; repository: string; environments: GrantedEnvironment[] }) => Promise<void>;
}

/** Starts the reconcile (once soon after start, then every interval); returns a function that stops it. */
export function startReconcile(params: ReconcileParams): () => void {
  let running: Promise<void> | undefined;
  let round = 0;
  const run = () => {
    if (running) return;
    round += 1;
    running = reconcileOnce({ ...params, round })
      .then(() => undefined)
      .catch((error: unknown) => params.app.log.warn(`reconcile ${round} failed: ${error instanceof Error ? error.message : String(error)}; the next one tries again`))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(run, 1_000);
  const timer = setInterval(run, params.intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

/** One pass over every installation and repository; returns how many branch applies it queued. */
export async function reconcileOnce(params: Omit<ReconcileParams, "intervalMs"> & { round: number }): Promise<number> {
  const { app, policy } = params;
  const log = app.log;
  const asApp = await app.auth();
  const installations = await asApp.paginate(asApp.rest.apps.listInstallations, { per_page: 100 });
  let queued = 0;
  for (const installation of installations) {
    const octokit = await app.auth(installation.id);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const repository of repositories) {
      // A repository the policy gives nothing costs no further request.
      if (!ruleFor(policy, repository.full_name)) continue;
      const repo = { owner: repository.owner.login, repo: repository.name };
      const access = await readRepoAccess(octokit, { ...repo, policy });
      if (!access.ok) continue;
      await params.resumeCanaries?.({ installation: installation.id, repository: repository.full_name, environments: access.environments });
      const branches = new Set(access.environments.map(({ environment }) => environment.branch ?? repository.default_branch));
      for (const branch of branches) {
        const accepted = params.enqueue({
          octokit,
          owner: `installation:${installation.id}`,
          scope: { log, delivery: `reconcile-${params.round}`, event: "reconcile" },
          repo,
          branch,
          defaultBranch: repository.default_branch,
          triggers: { pushed: [], reruns: [], reconcile: true },
        });
        if (accepted) queued += 1;
      }
    }
  }
  log.info(`reconcile ${params.round}: ${installations.length} installations, ${queued} branch applies queued`);
  return queued;
}
