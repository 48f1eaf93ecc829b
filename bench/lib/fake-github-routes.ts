// What the fake GitHub answers (fake-github.ts): the requests Slipway makes for a push (the
// installation token, the branch's head, .github/slipway.yml at the commit, check runs, the
// deployment and its statuses, the commit's tarball through codeload's redirect, the comparison
// with the last applied commit, the pull request the commit merged and a comment on it) and for a
// pull request (its changed files, their base contents, the sticky comment). Anything else is a
// 404 the benchmark reports: the app asked for something this fake does not play.
import { blobSha } from "../../test/support/github/pull-request-fixture.js";
import { answer, type Examples } from "./github-examples.js";
import type { FakeCommit, FakePull } from "./fake-github.js";

export interface RepositoryState {
  owner: string;
  repo: string;
  examples: Examples;
  commits: Map<string, FakeCommit>;
  branches: Map<string, string>;
  pulls: Map<number, FakePull>;
  mergedPulls: Map<string, number>;
  /** Check runs as created and then updated, by id. */
  checkRuns: Map<number, Record<string, unknown>>;
  /** Comments by issue number. */
  comments: Map<number, Array<{ id: number; body: string }>>;
  nextId: number;
  /** http://host:port, for the redirect to the tarball. */
  origin: string;
}

export interface Routed {
  status: number;
  json?: unknown;
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** A 404 that GitHub would give too (a file the commit lacks): not a request the fake failed to play. */
  expected?: boolean;
}

const notFound = (expected = false): Routed => ({ status: 404, json: { message: "Not Found", documentation_url: "https://docs.github.com/rest" }, expected });

export function routeRequest(state: RepositoryState, request: { method: string; path: string; body: unknown }): Routed {
  const [pathname = "", search = ""] = request.path.split("?");
  const query = new URLSearchParams(search);
  const route = `${request.method} ${pathname}`;
  const repoBase = `/repos/${state.owner}/${state.repo}`;
  const body = (request.body ?? {}) as Record<string, unknown>;
  let match: RegExpExecArray | null;

  if ((match = /^POST \/app\/installations\/(\d+)\/access_tokens$/.exec(route))) {
    return { status: 201, json: answer(state.examples, "installation-token", { token: `ghs_bench${match[1]}`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), repository_selection: "all" }) };
  }
  if ((match = /^GET \/_codeload\/[^/]+\/[^/]+\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(route))) {
    const commit = state.commits.get(match[1] ?? "");
    return commit ? { status: 200, raw: commit.tarball, contentType: "application/x-gzip" } : notFound();
  }
  if (!pathname.startsWith(`${repoBase}/`)) return notFound();
  const rest = `${request.method} ${pathname.slice(repoBase.length)}`;

  if ((match = /^GET \/branches\/([^/]+)$/.exec(rest))) {
    const sha = state.branches.get(decodeURIComponent(match[1] ?? ""));
    return sha ? { status: 200, json: answer(state.examples, "branch-get", { name: match[1], commit: { sha, url: `https://api.github.com${repoBase}/commits/${sha}` } }) } : notFound(true);
  }
  if ((match = /^GET \/contents\/(.+)$/.exec(rest))) {
    const path = decodeURIComponent(match[1] ?? "");
    const ref = query.get("ref") ?? state.branches.get("main") ?? "";
    const content = state.commits.get(ref)?.files[path];
    if (content === undefined) return notFound(true);
    return { status: 200, json: answer(state.examples, "content-file", { name: path.split("/").pop(), path, size: Buffer.byteLength(content), content: Buffer.from(content).toString("base64"), sha: blobSha(content) }) };
  }
  if ((match = /^GET \/tarball\/([0-9a-f]{40})$/.exec(rest))) {
    // GitHub answers with a redirect to codeload, which the client follows.
    return state.commits.has(match[1] ?? "") ? { status: 302, headers: { location: `${state.origin}/_codeload/${state.owner}/${state.repo}/legacy.tar.gz/${match[1]}` } } : notFound();
  }
  if (rest === "POST /check-runs") {
    const id = state.nextId++;
    const run = answer(state.examples, "check-run", { ...body, id, html_url: `https://github.com${repoBase}/runs/${id}`, url: `https://api.github.com${repoBase}/check-runs/${id}` });
    state.checkRuns.set(id, run);
    return { status: 201, json: run };
  }
  if ((match = /^PATCH \/check-runs\/(\d+)$/.exec(rest))) {
    const run = state.checkRuns.get(Number(match[1]));
    if (!run) return notFound();
    Object.assign(run, body);
    return { status: 200, json: run };
  }
  if (rest === "POST /deployments") {
    const id = state.nextId++;
    return { status: 201, json: answer(state.examples, "deployment", { id, sha: body.ref, ref: body.ref, environment: body.environment, original_environment: body.environment, description: body.description }) };
  }
  if ((match = /^POST \/deployments\/(\d+)\/statuses$/.exec(rest))) {
    return { status: 201, json: answer(state.examples, "deployment-status", { id: state.nextId++, state: body.state, description: body.description }) };
  }
  if ((match = /^GET \/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(rest))) {
    // Every commit the benchmark pushes is newer than the one before.
    return { status: 200, json: answer(state.examples, "commit-comparison", { status: "ahead", ahead_by: 1, behind_by: 0 }) };
  }
  if ((match = /^GET \/commits\/([0-9a-f]{40})\/pulls$/.exec(rest))) {
    const number = state.mergedPulls.get(match[1] ?? "");
    return { status: 200, json: number === undefined ? [] : [answer(state.examples, "pull-request-simple", { number, merged_at: new Date().toISOString(), merge_commit_sha: match[1] })] };
  }
  if ((match = /^GET \/pulls\/(\d+)\/files$/.exec(rest))) {
    const pull = state.pulls.get(Number(match[1]));
    return pull ? { status: 200, json: changedFiles(state, pull) } : notFound();
  }
  if ((match = /^GET \/issues\/(\d+)\/comments$/.exec(rest))) {
    const comments = state.comments.get(Number(match[1])) ?? [];
    return { status: 200, json: comments.map((comment) => answer(state.examples, "issue-comment", { ...comment, user: { login: "slipway[bot]", type: "Bot" } })) };
  }
  if ((match = /^POST \/issues\/(\d+)\/comments$/.exec(rest))) {
    const comment = { id: state.nextId++, body: (typeof body.body === "string" ? body.body : "") };
    const issue = Number(match[1]);
    state.comments.set(issue, [...(state.comments.get(issue) ?? []), comment]);
    return { status: 201, json: answer(state.examples, "issue-comment", { ...comment, user: { login: "slipway[bot]", type: "Bot" } }) };
  }
  if ((match = /^PATCH \/issues\/comments\/(\d+)$/.exec(rest))) {
    const id = Number(match[1]);
    const comment = [...state.comments.values()].flat().find((known) => known.id === id);
    if (!comment) return notFound();
    comment.body = (typeof body.body === "string" ? body.body : "");
    return { status: 200, json: answer(state.examples, "issue-comment", { ...comment, user: { login: "slipway[bot]", type: "Bot" } }) };
  }
  return notFound();
}

/** The files two commits differ in, as GET /pulls/{n}/files lists them. */
function changedFiles(state: RepositoryState, pull: FakePull): unknown[] {
  const base = state.commits.get(pull.baseSha)?.files ?? {};
  const head = state.commits.get(pull.headSha)?.files ?? {};
  const [entry] = state.examples["diff-entry-items"] as Array<Record<string, unknown>>;
  const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort().filter((path) => base[path] !== head[path]);
  return paths.map((path) => {
    const after = head[path];
    const status = base[path] === undefined ? "added" : after === undefined ? "removed" : "modified";
    return { ...entry, sha: after === undefined ? null : blobSha(after), filename: path, status, additions: 1, deletions: 1, changes: 2, patch: undefined };
  });
}
