// One timed plan as users see it: a `pull_request.synchronize` delivered to the built app, timed
// from the delivery to the request that completes the `slipway/plan (<env>)` check run, with an
// account of that time: the spans when a GitHub request (at the fake) or an API server request
// (at the timing proxy in front of it) was under way, and what is left, Slipway's own.
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import { checkRunName } from "../../src/render/check-run.js";
import type { ProxiedRequest } from "../../test/support/api-proxy.js";
import { examplePayload } from "../../test/support/github/payloads.js";
import { gitTarball } from "../../test/support/github/pull-request-fixture.js";
import { benchRepo } from "./app-apply.js";
import type { AppProcess } from "./app-process.js";
import { benchEnvironment, generateApps } from "./apps.js";
import type { FakeGitHub, SeenRequest } from "./fake-github.js";

const pullNumber = 8;

/** A pull request's two revisions of the generated apps: `before` is live (seeded), `after` is the head. */
export interface PullRequestFiles {
  namespace: string;
  base: Record<string, string>;
  head: Record<string, string>;
  /** Objects whose manifest the head changes. */
  changed: number;
}

export function pullRequestFiles(params: { size: number; namespace: string }): PullRequestFiles & { before: ReturnType<typeof generateApps> } {
  const apps = generateApps({ count: params.size, namespace: params.namespace });
  const config = stringify({ environments: [{ name: benchEnvironment, paths: ["apps/**/*.yaml"], namespace: params.namespace, conflicts: "warn" }] });
  const revision = (side: "before" | "after") => Object.fromEntries([[".github/slipway.yml", config], ...apps.map((app) => [app.path, app[side].map((object) => stringify(object)).join("---\n")])]) as Record<string, string>;
  return { namespace: params.namespace, base: revision("before"), head: revision("after"), changed: apps.flatMap((app) => app.edited).filter(Boolean).length, before: apps };
}

export interface AppPlanRun {
  seconds: number;
  /** Milliseconds of the run in which a GitHub request was under way, an API server request was, either. */
  githubMs: number;
  kubeMs: number;
  eitherMs: number;
  githubRequests: number;
  kubeRequests: number;
  conclusion: string;
  title: string;
  /** Every request of the run, GitHub's and the API server's, when each began and ended. */
  timeline: string;
}

/** Puts the base on main once; each run pushes a new head commit of the same files. */
export function prepareBase(github: FakeGitHub, files: PullRequestFiles): string {
  const sha = randomBytes(20).toString("hex");
  github.addCommit({ sha, files: files.base, tarball: gitTarball(files.base) });
  github.setBranch("main", sha);
  return sha;
}

export async function runAppPlan(params: { app: AppProcess; github: FakeGitHub; kube: readonly ProxiedRequest[]; files: PullRequestFiles; baseSha: string }): Promise<AppPlanRun> {
  const { app, github } = params;
  const headSha = randomBytes(20).toString("hex");
  github.addCommit({ sha: headSha, files: params.files.head, tarball: gitTarball(params.files.head, `${benchRepo.owner}-${benchRepo.repo}-${headSha.slice(0, 7)}/`) });
  github.addPull({ number: pullNumber, baseSha: params.baseSha, headSha });
  const name = checkRunName(benchEnvironment);
  const completed = github.waitFor((request) => {
    const id = /\/check-runs\/(\d+)$/.exec(request.path)?.[1];
    const run = id === undefined ? undefined : github.checkRuns.get(Number(id));
    return request.method === "PATCH" && (request.body as { status?: string } | undefined)?.status === "completed" && run?.head_sha === headSha && run.name === name;
  });
  const commented = github.waitFor((request) => (request.method === "POST" && request.path.endsWith(`/issues/${pullNumber}/comments`)) || (request.method === "PATCH" && /\/issues\/comments\/\d+$/.test(request.path)));
  await app.waitQuiet();
  const { sentMs } = await app.deliver("pull_request", synchronize({ baseSha: params.baseSha, headSha }));
  const done = await completed;
  await commented;
  app.markQuiet();
  const endMs = done.arrivedMs;
  const githubSpans = spansOf(github.requests, sentMs, endMs, (request: SeenRequest) => [request.arrivedMs, request.answeredMs]);
  const kubeSpans = spansOf(params.kube, sentMs, endMs, (request) => [request.arrivedMs, request.answeredMs ?? endMs]);
  const run = github.checkRuns.get(Number(/\/check-runs\/(\d+)$/.exec(done.path)?.[1])) ?? {};
  return {
    seconds: (endMs - sentMs) / 1000,
    githubMs: covered(githubSpans),
    kubeMs: covered(kubeSpans),
    eitherMs: covered([...githubSpans, ...kubeSpans]),
    githubRequests: githubSpans.length,
    kubeRequests: kubeSpans.length,
    conclusion: String(run.conclusion),
    timeline: [
      ...github.requests.filter((request) => request.arrivedMs >= sentMs && request.arrivedMs <= endMs).map((request) => ({ at: request.arrivedMs, end: request.answeredMs, what: `GitHub ${request.method} ${request.path.replace(/^\/repos\/[^/]+\/[^/]+\//, "").split("?")[0]}` })),
      ...params.kube.filter((request) => request.arrivedMs >= sentMs && request.arrivedMs <= endMs).map((request) => ({ at: request.arrivedMs, end: request.answeredMs ?? endMs, what: `kube ${request.method} ${request.path}` })),
    ]
      .sort((a, b) => a.at - b.at)
      .map((entry) => `+${(entry.at - sentMs).toFixed(0)}–${(entry.end - sentMs).toFixed(0)} ms ${entry.what}`)
      .join(", "),
    title: String((run.output as { title?: string } | undefined)?.title),
  };
}

function synchronize(params: { baseSha: string; headSha: string }): unknown {
  const repository = { name: benchRepo.repo, full_name: `${benchRepo.owner}/${benchRepo.repo}`, owner: { login: benchRepo.owner, name: benchRepo.owner }, default_branch: "main" };
  return examplePayload("pull_request", "synchronize", {
    number: pullNumber,
    repository,
    pull_request: {
      number: pullNumber,
      state: "open",
      head: { sha: params.headSha, ref: "change", repo: repository },
      base: { sha: params.baseSha, ref: "main", repo: repository },
    },
  });
}

type Span = [number, number];

/** The spans of the requests that began within [fromMs, toMs], cut at toMs. */
function spansOf<T>(requests: readonly T[], fromMs: number, toMs: number, span: (request: T) => [number, number]): Span[] {
  return requests.map(span).filter(([start]) => start >= fromMs && start <= toMs).map(([start, end]): Span => [start, Math.min(end, toMs)]);
}

/** How long at least one of the spans was under way. */
function covered(spans: Span[]): number {
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}
