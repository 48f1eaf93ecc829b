// The canary's GitHub side: ticks scheduled on the queue's canary pool, the check run that
// mirrors each canary's state, promotion through an apply of the environment's branch, and the
// `/canary` comments and check run buttons people steer it with.
//   - a tick resolves the repository's cluster identity and Prometheus from the server's policy
//     (never from the state, which anyone with write access to the namespace could edit);
//   - a command is bound to the pull request whose merge started the canary and needs write
//     access; canary/steer.ts carries it out, as it does the command line's: once per comment,
//     written with the state's version, so it never undoes a tick's work or another command;
//   - `/canary revert` (and a failed check run's Revert button) opens a pull request that reverts
//     the merge, when the canary failed and its entry opted in (canary-revert.ts).
import { tickCanary, type CanaryRuntime } from "../canary/controller.js";
import { createPrometheusClient } from "../canary/metrics.js";
import { startCanaries, type StartedCanary } from "../canary/start.js";
import { listCanaryStates, type StoredCanaryState } from "../canary/state-store.js";
import { steerCanary, type CommandSource } from "../canary/steer.js";
import { finalPhases, type CanaryState, type CanaryVerb } from "../canary/types.js";
import { canaryWorkloadName } from "../config/canary-schema.js";
import type { GrantedEnvironment } from "../config/narrow.js";
import { ruleFor, type Policy } from "../config/policy.js";
import type { CanaryDecision } from "../desired/canary.js";
import { inventoryLocation } from "../desired/desired-state.js";
import type { WorkQueue } from "../jobs/queue.js";
import type { Clusters } from "../kube/cluster-pool.js";
import type { ObjectStore } from "../kube/objects.js";
import { renderCanaryCheckRun } from "../render/canary.js";
import { canaryDeploymentStatus, renderCanaryFailureComment } from "../render/canary-outcome.js";
import { renderCanaryAccepted, renderCanaryRefused, renderCanaryStatus, type CanaryRefusal } from "../render/command-replies.js";
import { revertCanary } from "./canary-revert.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";

export interface CanaryDeps {
  queue: WorkQueue;
  clusters: Clusters;
  policy: Policy;
  fieldManager: string;
  /** An installation's client, for ticks that no webhook started. */
  installationClient: (installation: number) => Promise<GitHubClient>;
  /** Promotion and retry: apply the branch's head to the environment. */
  applyEnvironment: (params: { repo: RepoRef; installation: number; branch: string; environment: string }) => void;
  log: { info: (message: string) => void; warn: (message: string) => void };
  /** How often a canary waiting on the cluster is looked at (default 5 s). */
  pollMs?: number;
  /** How often a check that moved nothing may update the check run (default 60 s). */
  checkRunRefreshMs?: number;
  now?: () => number;
}

/** Where a canary's state is, and what a tick needs before reading it. */
export interface CanaryHandle {
  where: { namespace: string; name: string };
  repository: string;
  context: string;
  installation: number;
}

export class CanaryService {
  /** Each canary's next tick, by queue key: one at a time, so a command or a resume does not start a second chain of ticks. */
  private readonly nextTicks = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: CanaryDeps) {}

  /** After an apply: starts or continues its canaries, reports superseded ones, and schedules ticks. */
  async started(params: {
    octokit: GitHubClient;
    repo: RepoRef;
    installation: number;
    granted: GrantedEnvironment;
    branch: string;
    commit: string;
    pullRequest?: number;
    /** The apply's GitHub deployment: the canary's outcome becomes its status. */
    deployment?: number;
    decisions: CanaryDecision[];
  }): Promise<void> {
    const { environment, identity } = params.granted;
    const cluster = await this.deps.clusters.access(environment.context, identity);
    const started = await startCanaries(cluster.store, params.decisions, {
      environment: environment.name,
      namespace: environment.namespace,
      stateNamespace: inventoryLocation(environment).namespace,
      context: environment.context,
      repository: `${params.repo.owner}/${params.repo.repo}`,
      installation: params.installation,
      branch: params.branch,
      commit: params.commit,
      ...(params.pullRequest !== undefined ? { pullRequest: params.pullRequest } : {}),
      ...(params.deployment !== undefined ? { deployment: params.deployment } : {}),
      fieldManager: this.deps.fieldManager,
    });
    for (const canary of started) {
      if (canary.superseded) {
        await this.report(params.octokit, canary.superseded).catch((error: unknown) => this.deps.log.warn(`canary check run: ${String(error)}`));
        await this.finished(params.octokit, canary.superseded);
      }
      this.schedule(this.handleOf(canary, params.installation), 0);
    }
  }

  /** Ticks every canary of the environment that is not final (at start and on the reconcile timer). */
  async resume(params: { granted: GrantedEnvironment; repository: string; installation: number }): Promise<number> {
    const { environment, identity } = params.granted;
    if (environment.canary.length === 0) return 0;
    const cluster = await this.deps.clusters.access(environment.context, identity);
    const states = await listCanaryStates(cluster.store, inventoryLocation(environment).namespace, environment.name);
    const running = states.filter((stored) => stored.state.repository === params.repository && !finalPhases.has(stored.state.phase));
    for (const stored of running) this.schedule({ where: { namespace: stored.namespace, name: stored.name }, repository: params.repository, context: environment.context, installation: params.installation }, 0);
    return running.length;
  }

  /**
   * The canary's next tick, replacing the one scheduled: every tick schedules the next, so a tick
   * asked for meanwhile (a command, a resume, a new apply) must take the scheduled one's place,
   * not add a chain. Ticks queued at once for one canary wait as one entry of the queue.
   */
  schedule(handle: CanaryHandle, delayMs: number): void {
    const key = `canary:${handle.context}:${handle.where.namespace}/${handle.where.name}`;
    const spec = {
      pool: "canary" as const,
      key,
      owner: String(handle.installation),
      payload: handle,
      run: (payload: CanaryHandle, signal: AbortSignal) => this.tick(payload, signal),
    };
    clearTimeout(this.nextTicks.get(key));
    this.nextTicks.delete(key);
    if (delayMs <= 0) {
      this.deps.queue.enqueue(spec);
      return;
    }
    const timer = setTimeout(() => {
      this.nextTicks.delete(key);
      this.deps.queue.enqueue(spec);
    }, delayMs);
    // A shutdown stops the queue, which then refuses the tick; the next start resumes the canary.
    timer.unref();
    this.nextTicks.set(key, timer);
  }

  private async tick(handle: CanaryHandle, signal: AbortSignal): Promise<void> {
    try {
      const runtime = await this.runtime(handle);
      if (!runtime) return;
      const octokit = await this.deps.installationClient(handle.installation);
      const result = await tickCanary(
        runtime,
        {
          fieldManager: this.deps.fieldManager,
          promote: (state) => this.deps.applyEnvironment({ repo: repoOf(state), installation: handle.installation, branch: state.branch, environment: state.environment }),
          // GitHub being down must not stop the canary: its check run catches up on a later tick.
          report: (state) =>
            this.report(octokit, state).catch((error: unknown) => {
              this.deps.log.warn(`canary ${handle.where.name}: check run not updated (${error instanceof Error ? error.message : String(error)})`);
              return state.checkRun;
            }),
          finished: (state) => this.finished(octokit, state),
          signal,
          ...(this.deps.pollMs ? { pollMs: this.deps.pollMs } : {}),
          ...(this.deps.now ? { now: this.deps.now } : {}),
        },
        handle.where,
      );
      if (result === undefined) this.schedule(handle, this.deps.pollMs ?? 5_000);
      else if (result.nextTickMs !== undefined) this.schedule(handle, result.nextTickMs);
    } catch (error) {
      if (signal.aborted) return;
      this.deps.log.warn(`canary ${handle.where.namespace}/${handle.where.name}: ${error instanceof Error ? error.message : String(error)}; trying again`);
      this.schedule(handle, (this.deps.pollMs ?? 5_000) * 2);
    }
  }

  /** The cluster as the repository's identity, and the context's Prometheus, from the server's policy now. */
  private async runtime(handle: CanaryHandle): Promise<CanaryRuntime | undefined> {
    const rule = ruleFor(this.deps.policy, handle.repository);
    if (!rule || !rule.contexts.includes(handle.context)) {
      this.deps.log.warn(`canary ${handle.where.name}: the server's policy no longer lets ${handle.repository} use context ${handle.context}; the canary is left as it is`);
      return undefined;
    }
    const cluster = await this.deps.clusters.access(handle.context, rule.impersonate);
    const settings = this.deps.policy.contexts[handle.context];
    return {
      store: cluster.store,
      ...(settings?.prometheus ? { prometheus: createPrometheusClient(settings.prometheus) } : {}),
      ...(settings?.scrapeInterval ? { scrapeIntervalMs: settings.scrapeInterval } : {}),
    };
  }

  /**
   * Creates or updates the canary's check run, rate-aware: at once when the canary moved (its
   * phase, step, weight, failed checks or people's commands); for a check that moved nothing, at
   * most every `checkRunRefreshMs`, and never by a new run when the last one is completed (the
   * manual gate). Unchanged output is not sent again.
   */
  async report(octokit: GitHubClient, state: CanaryState): Promise<CanaryState["checkRun"]> {
    const now = (this.deps.now ?? Date.now)();
    const moved = milestoneOf(state);
    const last = state.checkRun;
    if (last?.milestone === moved) {
      if (last.completed) return last;
      const sinceMs = last.updatedAt ? now - Date.parse(last.updatedAt) : Infinity;
      if (sinceMs < (this.deps.checkRunRefreshMs ?? 60_000)) return last;
    }
    // At the manual gate the run is completed as "action required" (GitHub shows buttons only on
    // completed runs); moving on opens a new one.
    const rendered = renderCanaryCheckRun(state, state.config, { environment: state.environment, now });
    const fingerprint = JSON.stringify([rendered.status, rendered.conclusion, rendered.title, rendered.summary, rendered.text, rendered.actions]);
    if (last?.fingerprint === fingerprint) return last;
    const repo = repoOf(state);
    const body = {
      ...repo,
      name: rendered.name,
      status: rendered.status,
      ...(rendered.conclusion ? { conclusion: rendered.conclusion, completed_at: new Date().toISOString() } : {}),
      external_id: checkRunExternalId(state),
      output: { title: rendered.title, summary: rendered.summary, text: rendered.text },
      actions: rendered.actions,
    };
    const completed = rendered.status === "completed";
    const sent = { fingerprint, milestone: moved, updatedAt: new Date(now).toISOString(), completed };
    if (last && !last.completed) {
      await octokit.rest.checks.update({ ...body, check_run_id: last.id });
      return { ...last, ...sent };
    }
    const { data } = await octokit.rest.checks.create({ ...body, head_sha: state.commit });
    return { id: data.id, url: data.html_url ?? "", ...sent };
  }

  /**
   * A canary became final: its deployment gets the matching status and, when it failed, the pull
   * request whose merge started it gets a comment. GitHub being down loses these, never the canary.
   */
  async finished(octokit: GitHubClient, state: CanaryState): Promise<void> {
    const repo = repoOf(state);
    const logUrl = state.checkRun?.url && state.checkRun.url !== "" ? { log_url: state.checkRun.url } : {};
    const status = canaryDeploymentStatus(state);
    const warn = (what: string) => (error: unknown) => this.deps.log.warn(`canary ${state.environment}/${state.workload}: ${what} (${error instanceof Error ? error.message : String(error)})`);
    if (status && state.deployment !== undefined) {
      await octokit.rest.repos
        .createDeploymentStatus({ ...repo, deployment_id: state.deployment, state: status.state, description: status.description, environment: state.environment, ...logUrl })
        .catch(warn("deployment status not set"));
    }
    if (state.phase === "failed" && state.pullRequest !== undefined) {
      const body = renderCanaryFailureComment(state, state.config, { environment: state.environment, ...(state.checkRun?.url ? { checkRunUrl: state.checkRun.url } : {}) });
      await octokit.rest.issues.createComment({ ...repo, issue_number: state.pullRequest, body }).catch(warn("no comment on the pull request"));
    }
  }

  /**
   * A `/canary` command or a button, for the canaries the pull request's merge started (a
   * button: the canary of its check run). Returns the reply to post, or undefined for none.
   */
  async command(params: {
    octokit: GitHubClient;
    repo: RepoRef;
    installation: number;
    environments: GrantedEnvironment[];
    verb: CanaryVerb;
    full: boolean;
    workload?: string;
    /** The pull request commented on, or (a button) the canary's check run: its external id and the commit it is on. */
    target: { pullRequest: number; mergeCommit?: string } | { checkRun: string; headSha: string };
    by: string;
    via: Exclude<CommandSource, "command line">;
    /** The comment or delivery id: a command runs once. */
    id: string;
  }): Promise<CommandAnswer | undefined> {
    const found = await this.find(params);
    const refused = (refusal: CanaryRefusal): CommandAnswer => ({ reply: renderCanaryRefused(params.verb, refusal), changed: false });
    if ("refusal" in found) return refused(found.refusal);
    const { store, stored, handle } = found;
    const { verb } = params;
    if (verb === "status") return { reply: renderCanaryStatus({ state: stored.state, config: stored.state.config }), changed: false };
    const origin = { by: params.by, via: params.via, id: params.id, ...(this.deps.now ? { now: this.deps.now } : {}) };
    if (verb === "revert") return revertCanary({ octokit: params.octokit, repo: params.repo, store, stored, enabled: found.revertEnabled, origin });
    const steered = await steerCanary(store, stored, { ...origin, verb, full: params.full });
    switch (steered.outcome) {
      case "refused":
        return refused(steered.refusal);
      case "gone":
        return refused({ reason: "no-canary" });
      case "already-done":
      case "busy":
        return undefined;
      case "changed":
        if (verb === "retry") {
          this.deps.applyEnvironment({ repo: params.repo, installation: params.installation, branch: steered.state.branch, environment: steered.state.environment });
        } else {
          this.schedule(handle, 0);
        }
        return { reply: renderCanaryAccepted({ state: steered.before, config: steered.before.config, verb, full: params.full }), changed: true };
    }
  }

  /** The canary a command is for, read as the repository's identity. */
  private async find(params: Parameters<CanaryService["command"]>[0]): Promise<Candidate | { refusal: CanaryRefusal }> {
    const repository = `${params.repo.owner}/${params.repo.repo}`;
    const candidates: Candidate[] = [];
    for (const { environment, identity } of params.environments) {
      if (environment.canary.length === 0) continue;
      const cluster = await this.deps.clusters.access(environment.context, identity);
      for (const stored of await listCanaryStates(cluster.store, inventoryLocation(environment).namespace, environment.name)) {
        if (stored.state.repository !== repository) continue;
        const entry = environment.canary.find((canary) => canaryWorkloadName(canary) === stored.state.workload);
        candidates.push({ stored, store: cluster.store, handle: { where: stored, repository, context: environment.context, installation: params.installation }, revertEnabled: entry?.revertPullRequest === true });
      }
    }
    const { target } = params;
    if ("checkRun" in target) {
      // The external id names the workload, not the revision: the check run of an earlier merge of
      // it keeps its buttons, and must not act on the canary of a later one (a Revert would revert
      // the wrong merge).
      const ofWorkload = candidates.filter(({ stored }) => checkRunExternalId(stored.state) === target.checkRun);
      const match = ofWorkload.find(({ stored }) => stored.state.commit === target.headSha);
      if (match) return match;
      const newer = ofWorkload[0];
      return { refusal: newer ? { reason: "stale-check-run", canaryCommit: newer.stored.state.commit, checkRunCommit: target.headSha } : { reason: "no-canary" } };
    }
    let mine = candidates.filter(({ stored }) => stored.state.pullRequest === target.pullRequest);
    if (mine.length === 0) {
      // A canary of another merge for the same workload: say which commit it tests.
      const other = candidates.find(({ stored }) => !finalPhases.has(stored.state.phase) && (!params.workload || stored.state.workload === params.workload));
      if (other && target.mergeCommit) return { refusal: { reason: "revision-mismatch", canaryCommit: other.stored.state.commit, pullRequestCommit: target.mergeCommit } };
      return { refusal: { reason: "no-canary" } };
    }
    if (params.workload) {
      const named = mine.filter(({ stored }) => stored.state.workload === params.workload);
      if (named.length === 0) return { refusal: { reason: "unknown-workload", workload: params.workload, workloads: mine.map(({ stored }) => stored.state.workload) } };
      mine = named;
    }
    if (mine.length > 1) {
      // Several environments: the one still running, else ambiguous.
      const running = mine.filter(({ stored }) => !finalPhases.has(stored.state.phase));
      if (running.length === 1) return running[0]!;
      return { refusal: { reason: "ambiguous", environment: mine[0]!.stored.state.environment, workloads: mine.map(({ stored }) => stored.state.workload) } };
    }
    return mine[0]!;
  }

  private handleOf(canary: StartedCanary, installation: number): CanaryHandle {
    return { where: canary.where, repository: canary.state.repository, context: canary.state.context, installation };
  }
}

/** What a command answers: the reply, and whether it changed the canary (the comment's reaction says which). */
export interface CommandAnswer {
  reply: string;
  changed: boolean;
  /** The canary's pull request, where a button's answer goes when it has one to give (`revert`). */
  pullRequest?: number;
}

interface Candidate {
  stored: StoredCanaryState;
  store: ObjectStore;
  handle: CanaryHandle;
  /** Its environment's `canary:` entry, in .github/slipway.yml now, sets `revertPullRequest: true`. */
  revertEnabled: boolean;
}

/** How a canary's check run names it, for its buttons to find it again. */
const checkRunExternalId = (state: Pick<CanaryState, "context" | "environment" | "workload">): string => `${state.context}/${state.environment}/${state.workload}`;

const repoOf = (state: Pick<CanaryState, "repository">): RepoRef => {
  const [owner = "", repo = ""] = state.repository.split("/");
  return { owner, repo };
};

/** What makes a check run worth updating at once: the canary moved, or someone acted. */
function milestoneOf(state: CanaryState): string {
  return JSON.stringify([state.phase, state.stepIndex, state.weight, state.failedChecks, state.pausedFrom ?? null, state.events.at(-1)?.at ?? null, state.promoteRequested ?? null, state.abortRequested ?? false]);
}
