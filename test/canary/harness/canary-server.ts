// A canary's server side without the webhooks: a CanaryService on a queue of its own, reaching the
// test cluster through the context `slipway-test` and the file's Prometheus through the server's
// policy, and GitHub through an Octokit that nock answers. Each call makes one "server"; a test
// that drops one and makes another, or makes two, gets replicas that share nothing but the cluster.
import { ProbotOctokit } from "probot";
import { readCanaryState } from "../../../src/canary/state-store.js";
import type { CanaryState } from "../../../src/canary/types.js";
import type { GrantedEnvironment } from "../../../src/config/narrow.js";
import type { Policy } from "../../../src/config/policy.js";
import type { EnvironmentConfig } from "../../../src/config/schema.js";
import { CanaryService, type CanaryDeps } from "../../../src/github/canary.js";
import type { GitHubClient } from "../../../src/github/octokit.js";
import { WorkQueue } from "../../../src/jobs/queue.js";
import type { ObjectStore } from "../../../src/kube/objects.js";
import { testClusters } from "../../support/cluster.js";
import { anyNumberOfTimes, type GitHubMock } from "../../support/github/nock.js";
import { testPolicy } from "../../support/policy.js";

/** The kubeconfig context of the test cluster, which the test policy grants. */
export const testContext = "slipway-test";

/** The test policy, with the file's Prometheus for the test cluster's context, scraping every second. */
export const canaryPolicy = (prometheusUrl: string): Policy => ({ ...testPolicy(), contexts: { [testContext]: { prometheus: prometheusUrl, scrapeInterval: 1_000 } } });

/** An Octokit as the canary's ticks get it, answered by nock: no retries or throttling to slow a refusal down. */
export const testOctokit = (): GitHubClient => new ProbotOctokit({ auth: { token: "ghs_slipwaytesttoken" }, retry: { enabled: false }, throttle: { enabled: false } });

/** The environment as the server's policy grants it: on the test cluster's context, as Slipway itself. */
export const granted = (environment: EnvironmentConfig): GrantedEnvironment => ({ environment: { ...environment, context: testContext } });

export interface CanaryServer {
  service: CanaryService;
  queue: WorkQueue;
  /** Drops the server: no new ticks, the running one finishes or is aborted. */
  stop: () => Promise<void>;
}

/** One server. `applyEnvironment` is its promotion (and retry): the test applies the branch's head and calls `started`. */
export function startCanaryServer(params: { policy: Policy; octokit: GitHubClient; applyEnvironment: CanaryDeps["applyEnvironment"]; log?: CanaryDeps["log"] }): CanaryServer {
  const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 2 }, rememberDeliveries: 100 });
  const clusters = testClusters();
  const service = new CanaryService({
    queue,
    clusters,
    policy: params.policy,
    fieldManager: "slipway",
    installationClient: () => Promise.resolve(params.octokit),
    applyEnvironment: params.applyEnvironment,
    log: params.log ?? { info: () => undefined, warn: (message) => process.stderr.write(`[canary-server] ${message}\n`) },
    pollMs: 250,
  });
  return { service, queue, stop: async () => void (await queue.shutdown({ deadlineMs: 5_000 })) };
}

export interface CheckRunRequest {
  method: "POST" | "PATCH";
  /** The run's id: the one GitHub gave at its creation, or the one updated. */
  id: number;
  name: string;
  status?: string;
  conclusion?: string;
  title?: string;
  actions?: Array<{ identifier: string }>;
  /** What the run's buttons send back to find the canary (`check_run.external_id`). */
  externalId?: string;
}

/**
 * GitHub's side of check runs, for any number of them: each create gets a fresh id (from 1000),
 * each update is answered. Returns the requests made so far for runs whose name starts with
 * `prefix` (default: the canaries'), in order, with their ids.
 */
export function interceptCheckRuns(github: GitHubMock, repository: { owner: string; repo: string }): (prefix?: string) => CheckRunRequest[] {
  let next = 1000;
  const seen: CheckRunRequest[] = [];
  anyNumberOfTimes(github.post(`/repos/${repository.owner}/${repository.repo}/check-runs`)).reply(201, (_uri, body) => {
    const id = next++;
    seen.push({ method: "POST", id, ...describeRun(body as RunBody) });
    return { id, html_url: `https://github.com/${repository.owner}/${repository.repo}/runs/${id}`, status: "in_progress" };
  });
  anyNumberOfTimes(github.patch(new RegExp(`^/repos/${repository.owner}/${repository.repo}/check-runs/\\d+$`))).reply(200, (uri, body) => {
    const id = Number(uri.split("/").pop());
    seen.push({ method: "PATCH", id, ...describeRun(body as RunBody) });
    return { id };
  });
  return (prefix = "slipway/canary") => seen.filter((request) => request.name.startsWith(prefix));
}

interface RunBody {
  name?: string;
  status?: string;
  conclusion?: string;
  output?: { title?: string };
  actions?: Array<{ identifier: string }>;
  external_id?: string;
}

function describeRun(body: RunBody) {
  return {
    name: body.name ?? "",
    ...(body.status ? { status: body.status } : {}),
    ...(body.conclusion ? { conclusion: body.conclusion } : {}),
    ...(body.output?.title ? { title: body.output.title } : {}),
    ...(body.actions ? { actions: body.actions } : {}),
    ...(body.external_id ? { externalId: body.external_id } : {}),
  };
}

/** Polls the canary's state until `done` holds; returns that state. */
export async function waitForState(store: ObjectStore, where: { namespace: string; name: string }, done: (state: CanaryState) => boolean, timeoutMs = 60_000): Promise<CanaryState> {
  const deadline = Date.now() + timeoutMs;
  let last: CanaryState | undefined;
  for (;;) {
    last = (await readCanaryState(store, where))?.state;
    if (last && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`the canary did not get there in ${timeoutMs} ms: ${last ? `${last.phase} at ${last.weight} % — ${last.message}` : "no state"}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the canary's state every 100 ms until stopped; returns every version seen, oldest first. */
export function recordStates(store: ObjectStore, where: { namespace: string; name: string }): { stop: () => Promise<CanaryState[]> } {
  const seen: CanaryState[] = [];
  let stopped = false;
  let lastVersion: string | undefined;
  const loop = (async () => {
    while (!stopped) {
      const stored = await readCanaryState(store, where);
      if (stored && stored.resourceVersion !== lastVersion) {
        lastVersion = stored.resourceVersion;
        seen.push(stored.state);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

/** Collapses runs of equal values: [0, 0, 20, 20, 50] → [0, 20, 50]. */
export const changes = <T>(values: T[]): T[] => values.filter((value, index) => index === 0 || value !== values[index - 1]);
