// A pull request as GitHub serves it to Slipway: the configuration on the default branch, the
// changed files with their head blobs and base contents, check runs and comments. Each helper
// adds the interceptors for one part of the conversation, answering with GitHub's shapes.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitHubMock } from "./nock.js";

export interface PullRequestFixture {
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  headSha: string;
  /** Files at the base revision, by path. */
  base: Record<string, string>;
  /** Files at the head revision, by path; a path absent here but present in `base` was removed. */
  head: Record<string, string>;
}

export const blobSha = (content: string): string => createHash("sha1").update(`blob ${Buffer.byteLength(content)}\0${content}`).digest("hex");

const contentResponse = (path: string, content: string) => ({
  type: "file",
  encoding: "base64",
  size: Buffer.byteLength(content),
  name: path.split("/").pop(),
  path,
  content: Buffer.from(content).toString("base64"),
  sha: blobSha(content),
});

const contentsPath = (fixture: Pick<PullRequestFixture, "owner" | "repo">, path: string) =>
  `/repos/${fixture.owner}/${fixture.repo}/contents/${path.split("/").map(encodeURIComponent).join("%2F")}`;

/**
 * `.github/slipway.yml` on the default branch (no `ref`) or at `options.ref` (an apply reads it at
 * the pushed commit), or a 404 when `config` is undefined.
 */
export function interceptConfig(github: GitHubMock, fixture: Pick<PullRequestFixture, "owner" | "repo">, config: string | undefined, options: { ref?: string; times?: number } = {}): void {
  const path = contentsPath(fixture, ".github/slipway.yml");
  const query = options.ref ? `?ref=${options.ref}` : "";
  const interceptor = github.get((uri) => uri === `${path}${query}` || uri === `${path.replace(/%2F/g, "/")}${query}`).times(options.times ?? 1);
  if (config === undefined) interceptor.reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  else interceptor.reply(200, contentResponse(".github/slipway.yml", config));
}

/** The branch and the commit it points at (an apply applies only a branch's head), `times` times (default once). */
export function interceptBranchHead(github: GitHubMock, repo: { owner: string; repo: string }, branch: string, sha: string, times = 1): void {
  github.get(`/repos/${repo.owner}/${repo.repo}/branches/${branch}`).times(times).reply(200, {
    name: branch,
    commit: { sha, url: `https://api.github.com/repos/${repo.owner}/${repo.repo}/commits/${sha}` },
    protected: false,
    _links: { self: `https://api.github.com/repos/${repo.owner}/${repo.repo}/branches/${branch}`, html: `https://github.com/${repo.owner}/${repo.repo}/tree/${branch}` },
  });
}

/** The changed files, their base contents, and the tarball of the head revision (which holds the head versions). */
export function interceptChangedFiles(github: GitHubMock, fixture: PullRequestFixture): void {
  interceptTarball(github, fixture, fixture.headSha, fixture.head);
  const paths = [...new Set([...Object.keys(fixture.base), ...Object.keys(fixture.head)])].sort();
  const changed = paths.filter((path) => fixture.base[path] !== fixture.head[path]);
  github.get(`/repos/${fixture.owner}/${fixture.repo}/pulls/${fixture.number}/files`).query({ per_page: 100 }).reply(
    200,
    changed.map((path) => {
      const head = fixture.head[path];
      const status = fixture.base[path] === undefined ? "added" : head === undefined ? "removed" : "modified";
      return { sha: head === undefined ? null : blobSha(head), filename: path, status, additions: 1, deletions: 0, changes: 1 };
    }),
  );
  for (const path of changed) {
    const base = fixture.base[path];
    if (base !== undefined) {
      const contents = contentsPath(fixture, path);
      github
        .get((uri) => uri.startsWith(contents) || uri.startsWith(contents.replace(/%2F/g, "/")))
        .query({ ref: fixture.baseSha })
        .reply(200, contentResponse(path, base));
    }
  }
}

/** A check run created in progress and completed once (more updates for more than 50 annotations). */
export function interceptCheckRun(github: GitHubMock, fixture: PullRequestFixture, id: number, updates = 1): void {
  github
    .post(`/repos/${fixture.owner}/${fixture.repo}/check-runs`)
    .reply(201, { id, html_url: `https://github.com/${fixture.owner}/${fixture.repo}/runs/${id}`, status: "in_progress" });
  github.patch(`/repos/${fixture.owner}/${fixture.repo}/check-runs/${id}`).times(updates).reply(200, { id });
}

/** The comments already on the pull request, then the sticky comment created or updated. */
export function interceptStickyComment(
  github: GitHubMock,
  fixture: PullRequestFixture,
  existing: Array<{ id: number; body: string; bot: boolean }> = [],
): void {
  const base = `/repos/${fixture.owner}/${fixture.repo}/issues`;
  github.get(`${base}/${fixture.number}/comments`).query({ per_page: 100 }).reply(
    200,
    existing.map((comment) => ({ id: comment.id, body: comment.body, user: { login: comment.bot ? "slipway[bot]" : "octocat", type: comment.bot ? "Bot" : "User" } })),
  );
  const sticky = existing.find((comment) => comment.bot && comment.body.startsWith("<!-- slipway:plan -->"));
  if (sticky) github.patch(`${base}/comments/${sticky.id}`).reply(200, { id: sticky.id });
  else github.post(`${base}/${fixture.number}/comments`).reply(201, { id: 9001 });
}

/** The bodies of the requests that matched `method` and a path ending, in order. */
export function bodiesOf(github: GitHubMock, method: string, pathEnd: RegExp): unknown[] {
  return github.requests.filter((request) => request.method === method && pathEnd.test(request.path.split("?")[0] ?? "")).map((request) => request.body);
}

/** A tarball of `files` made by `git archive`, as GitHub makes them. */
export function gitTarball(files: Record<string, string>, prefix = "Codertocat-Hello-World-0123abc/"): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "slipway-archive-"));
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  // A big repository makes a big archive: execFileSync keeps only 1 MiB of output by default.
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env, maxBuffer: 1024 ** 3 });
  git("init", "-q");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git("add", "-A");
  git("commit", "-qm", "files", "--allow-empty");
  return git("archive", "--format=tar.gz", `--prefix=${prefix}`, "HEAD");
}

/** The repository tarball at `sha` (GitHub redirects to codeload; the client follows, so the test answers directly). */
export function interceptTarball(github: GitHubMock, repo: { owner: string; repo: string }, sha: string, files: Record<string, string>): void {
  github.get(`/repos/${repo.owner}/${repo.repo}/tarball/${sha}`).reply(200, gitTarball(files), { "content-type": "application/x-gzip" });
}
