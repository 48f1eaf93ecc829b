// What GitHub answers while Slipway makes a revert pull request: the merge commit and its parent,
// their compare, the trees of the parent, the merge and the branch's head, and the writes (tree,
// commit, branch, pull request). Each helper adds the interceptors of one part, in GitHub's shapes.
import { createHash } from "node:crypto";
import type { GitHubMock } from "./nock.js";
import { blobSha } from "./pull-request-fixture.js";

export interface RevertFixture {
  owner: string;
  repo: string;
  /** The environment's branch. */
  branch: string;
  /** The merge commit the failed canary tested, and its first parent. */
  merge: string;
  parent: string;
  /** The branch's head now (the merge commit when nothing came after it). */
  head: string;
  pullRequest: { number: number; title: string; commits?: number };
  /** Files by path at the parent, the merge and the head. */
  parentFiles: Record<string, string>;
  mergeFiles: Record<string, string>;
  headFiles?: Record<string, string>;
}

export const revertBranch = (fixture: Pick<RevertFixture, "merge">): string => `slipway/revert-${fixture.merge.slice(0, 7)}`;

/** A stand-in tree sha: the same files give the same sha, as in Git. */
const treeSha = (files: Record<string, string>): string => createHash("sha1").update(JSON.stringify(Object.entries(files).sort())).digest("hex");

const base = (fixture: Pick<RevertFixture, "owner" | "repo">) => `/repos/${fixture.owner}/${fixture.repo}`;
const html = (fixture: Pick<RevertFixture, "owner" | "repo">) => `https://github.com/${fixture.owner}/${fixture.repo}`;

/** The reads before any check for an existing revert: the merge commit. */
export function interceptMergeCommit(github: GitHubMock, fixture: RevertFixture): void {
  github.get(`${base(fixture)}/git/commits/${fixture.merge}`).reply(200, {
    sha: fixture.merge,
    node_id: "C_1",
    url: `https://api.github.com${base(fixture)}/git/commits/${fixture.merge}`,
    html_url: `${html(fixture)}/commit/${fixture.merge}`,
    tree: { sha: treeSha(fixture.mergeFiles), url: "" },
    parents: [{ sha: fixture.parent, url: "", html_url: "" }],
    message: `${fixture.pullRequest.title} (#${fixture.pullRequest.number})\n\nSquashed.`,
    author: { name: "Octo Cat", email: "octocat@example.com", date: "2024-05-02T11:00:00Z" },
    committer: { name: "GitHub", email: "noreply@github.com", date: "2024-05-02T11:00:00Z" },
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  });
}

/** An open pull request from the revert's branch (or none), and, when there is none, the branch (or a 404). */
export function interceptExistingRevert(github: GitHubMock, fixture: RevertFixture, existing: { pullRequest?: number; branch?: boolean } = {}): void {
  const branch = revertBranch(fixture);
  github
    .get(`${base(fixture)}/pulls`)
    .query({ head: `${fixture.owner}:${branch}`, state: "open", per_page: 1 })
    .reply(200, existing.pullRequest ? [{ number: existing.pullRequest, html_url: `${html(fixture)}/pull/${existing.pullRequest}`, head: { ref: branch } }] : []);
  if (existing.pullRequest) return;
  const ref = github.get((uri) => uri === `${base(fixture)}/git/ref/heads%2F${encodeURIComponent(branch)}` || uri === `${base(fixture)}/git/ref/heads/${branch}`);
  if (existing.branch) ref.reply(200, { ref: `refs/heads/${branch}`, node_id: "R_1", url: "", object: { type: "commit", sha: "e".repeat(40), url: "" } });
  else ref.reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/git/refs#get-a-reference" });
}

/** Every read of a revert that finds none open yet: the merge commit, no existing revert, then the reads its tree needs. */
export function interceptRevertLookups(github: GitHubMock, fixture: RevertFixture): void {
  interceptMergeCommit(github, fixture);
  interceptExistingRevert(github, fixture);
  interceptRevertReads(github, fixture);
}

/** The pull request, the compare of the parent with the merge, the branch's head, and the trees. */
export function interceptRevertReads(github: GitHubMock, fixture: RevertFixture): void {
  const { pullRequest } = fixture;
  github.get(`${base(fixture)}/pulls/${pullRequest.number}`).reply(200, { number: pullRequest.number, title: pullRequest.title, commits: pullRequest.commits ?? 1, state: "closed", merged: true, merge_commit_sha: fixture.merge });
  const paths = [...new Set([...Object.keys(fixture.parentFiles), ...Object.keys(fixture.mergeFiles)])].sort();
  const files = paths
    .filter((path) => fixture.parentFiles[path] !== fixture.mergeFiles[path])
    .map((path) => {
      const after = fixture.mergeFiles[path];
      const status = fixture.parentFiles[path] === undefined ? "added" : after === undefined ? "removed" : "modified";
      return { sha: blobSha(after ?? fixture.parentFiles[path] ?? ""), filename: path, status, additions: 1, deletions: 1, changes: 2 };
    });
  github
    .get(`${base(fixture)}/compare/${fixture.parent}...${fixture.merge}`)
    .query({ per_page: 1 })
    .reply(200, { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, base_commit: { sha: fixture.parent, commit: { tree: { sha: treeSha(fixture.parentFiles) } } }, commits: [], files });
  const headFiles = fixture.headFiles ?? fixture.mergeFiles;
  github.get(`${base(fixture)}/branches/${fixture.branch}`).reply(200, {
    name: fixture.branch,
    commit: { sha: fixture.head, commit: { tree: { sha: treeSha(headFiles) } } },
    protected: false,
  });
  const trees = [fixture.parentFiles, fixture.mergeFiles, ...(fixture.head === fixture.merge ? [] : [headFiles])];
  for (const files of trees) {
    github
      .get(`${base(fixture)}/git/trees/${treeSha(files)}`)
      .query({ recursive: "true" })
      .reply(200, {
        sha: treeSha(files),
        truncated: false,
        tree: [
          ...new Set(Object.keys(files).flatMap((path) => path.split("/").slice(0, -1).map((_, index, parts) => parts.slice(0, index + 1).join("/")))),
        ]
          .map((dir) => ({ path: dir, mode: "040000", type: "tree", sha: "d".repeat(40) }))
          .concat(Object.entries(files).map(([path, content]) => ({ path, mode: "100644", type: "blob", sha: blobSha(content) }))),
      });
  }
}

/** The writes: tree, commit, branch; then the pull request (#`opened`), or GitHub's refusal of it. */
export function interceptRevertWrites(github: GitHubMock, fixture: RevertFixture, options: { opened?: number; refusePullRequest?: 403 } = {}): void {
  github.post(`${base(fixture)}/git/trees`).reply(201, { sha: "7".repeat(40), url: "", tree: [], truncated: false });
  github.post(`${base(fixture)}/git/commits`).reply(201, { sha: "8".repeat(40), html_url: `${html(fixture)}/commit/${"8".repeat(40)}` });
  github.post(`${base(fixture)}/git/refs`).reply(201, { ref: `refs/heads/${revertBranch(fixture)}`, object: { sha: "8".repeat(40), type: "commit" } });
  if (options.refusePullRequest) {
    github.post(`${base(fixture)}/pulls`).reply(options.refusePullRequest, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request" }, { "x-accepted-github-permissions": "pull_requests=write" });
    return;
  }
  const number = options.opened ?? 77;
  github.post(`${base(fixture)}/pulls`).reply(201, { number, html_url: `${html(fixture)}/pull/${number}`, state: "open" });
}

/** A refused first write: the installation has `contents: read`. */
export function interceptContentsReadOnly(github: GitHubMock, fixture: RevertFixture): void {
  github
    .post(`${base(fixture)}/git/trees`)
    .reply(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/git/trees#create-a-tree" }, { "x-accepted-github-permissions": "contents=write" });
}
