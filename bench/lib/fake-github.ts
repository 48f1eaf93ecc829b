// GitHub, played locally for the benchmarks that time the built app: GitHub cannot be reached from
// the benchmark's machine, and the figure must be Slipway's, not the network's. It answers, under
// /api/v3 as GitHub Enterprise Server does (the app finds it through GHE_HOST and GHE_PROTOCOL),
// exactly the requests the app makes for a push and for a pull request (fake-github-routes.ts),
// from a repository held in memory, at once: every answer is built before it is asked for or is a
// copy of GitHub's published example. It records each request with when it arrived and when its
// answer was sent, so a benchmark can tell the time the app spent waiting on GitHub from its own.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadGitHubExamples } from "./github-examples.js";
import { routeRequest, type RepositoryState } from "./fake-github-routes.js";

export interface SeenRequest {
  method: string;
  /** Path and query, without the /api/v3 prefix: as api.github.com would have seen it. */
  path: string;
  body: unknown;
  /** performance.now() of this process when the request arrived and when its answer was sent. */
  arrivedMs: number;
  answeredMs: number;
  status: number;
}

export interface FakeCommit {
  sha: string;
  files: Record<string, string>;
  /** The gzip'd tarball GitHub would serve for the commit (`git archive`). */
  tarball: Buffer;
}

export interface FakePull {
  number: number;
  baseSha: string;
  headSha: string;
}

export interface FakeGitHub {
  /** host:port, for GHE_HOST. */
  host: string;
  readonly requests: readonly SeenRequest[];
  /** Requests no route answered (404): the app asked for something the fake does not play. */
  readonly unexpected: readonly string[];
  /** Check runs as created and then updated, by id. */
  readonly checkRuns: ReadonlyMap<number, Record<string, unknown>>;
  addCommit(commit: FakeCommit): void;
  /** Points a branch at a commit added before. */
  setBranch(branch: string, sha: string): void;
  /** A pull request; its changed files are the difference of its two commits. */
  addPull(pull: FakePull): void;
  /** The pull request GET /commits/{sha}/pulls answers with, merged. */
  setMergedPull(sha: string, number: number): void;
  /** The first request from now on that `matches`, once answered. */
  waitFor(matches: (request: SeenRequest) => boolean, options?: { timeoutMs?: number }): Promise<SeenRequest>;
  close(): Promise<void>;
}

export const apiPrefix = "/api/v3";

export async function startFakeGitHub(params: { owner: string; repo: string }): Promise<FakeGitHub> {
  const state: RepositoryState = {
    owner: params.owner,
    repo: params.repo,
    examples: loadGitHubExamples(),
    commits: new Map(),
    branches: new Map(),
    pulls: new Map(),
    mergedPulls: new Map(),
    checkRuns: new Map(),
    comments: new Map(),
    nextId: 1000,
    origin: "",
  };
  const requests: SeenRequest[] = [];
  const unexpected: string[] = [];
  const waiters = new Set<(request: SeenRequest) => void>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const arrivedMs = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "/";
      const path = url.startsWith(apiPrefix) ? url.slice(apiPrefix.length) : url;
      const body = parseJson(Buffer.concat(chunks).toString("utf8"));
      const routed = routeRequest(state, { method: req.method ?? "GET", path, body });
      if (routed.status === 404 && !routed.expected) unexpected.push(`${req.method} ${path}`);
      res.once("finish", () => {
        const seen: SeenRequest = { method: req.method ?? "GET", path, body, arrivedMs, answeredMs: performance.now(), status: routed.status };
        requests.push(seen);
        for (const waiter of waiters) waiter(seen);
      });
      res.writeHead(routed.status, { "content-type": routed.contentType ?? "application/json; charset=utf-8", ...routed.headers });
      res.end(routed.raw ?? (routed.json === undefined ? undefined : JSON.stringify(routed.json)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.origin = `http://${host}`;

  return {
    host,
    requests,
    unexpected,
    checkRuns: state.checkRuns,
    addCommit: (commit) => void state.commits.set(commit.sha, commit),
    setBranch: (branch, sha) => {
      if (!state.commits.has(sha)) throw new Error(`the fake GitHub has no commit ${sha}`);
      state.branches.set(branch, sha);
    },
    addPull: (pull) => void state.pulls.set(pull.number, pull),
    setMergedPull: (sha, number) => void state.mergedPulls.set(sha, number),
    waitFor: (matches, options = {}) =>
      new Promise((resolve, reject) => {
        const timeoutMs = options.timeoutMs ?? 120_000;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`the fake GitHub waited ${timeoutMs / 1000} s for a request that never came; the last it saw: ${requests.slice(-5).map((r) => `${r.method} ${r.path}`).join(", ")}`));
        }, timeoutMs);
        const waiter = (request: SeenRequest) => {
          if (!matches(request)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(request);
        };
        waiters.add(waiter);
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
