// A pull request that reverts the merge a failed canary came from, made with GitHub's REST API
// alone (the Git Data API; no clone): compare the merge commit with its first parent for the
// paths it changed, plan a tree on top of the branch's head now in which each of them is as it
// was in the parent (revert-tree.ts), then create the tree, the commit, the branch
// `slipway/revert-<sha>` and the pull request. One branch per merge makes asking twice find the
// first. GitHub's refusals the repository's owner can fix (a permission the app lacks) come back
// as outcomes; anything else is an error for the caller's boundary.
// https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database
import { revertBranchName, revertCommitMessage, revertPullRequestBody, revertTitle, type RevertOutcome, type RevertSubject } from "../render/canary-revert.js";
import { acceptedPermissions, isHttpStatus, isMissingPermission, type GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { changedPaths, planRevertTree, type GitEntry, type GitTree, type RevertTreeEntry } from "./revert-tree.js";

export interface RevertRequest {
  repo: RepoRef;
  /** The failed canary: its merge commit (`commit`), branch and pull request. */
  state: RevertSubject["state"] & { pullRequest?: number };
  /** Who asked, a GitHub login. */
  by: string;
}

/** GitHub's compare lists at most this many files; a merge with as many may have more. */
const COMPARE_FILES_MAX = 300;

export async function openRevertPullRequest(octokit: GitHubClient, request: RevertRequest): Promise<RevertOutcome> {
  const { repo, state } = request;
  const branch = revertBranchName(state.commit);
  const merge = await readCommit(octokit, repo, state.commit);
  const compareUrl = `${merge.repositoryUrl}/compare/${encodeURI(state.branch)}...${encodeURI(branch)}`;
  const existing = await findExisting(octokit, repo, branch);
  if (existing) return { kind: "exists", branch, compareUrl, ...existing };

  const parent = merge.parents[0];
  if (parent === undefined) throw new Error(`commit ${state.commit} has no parent: there is nothing to revert it to`);
  const pull = state.pullRequest === undefined ? undefined : await readPullRequest(octokit, repo, state.pullRequest);
  // Rebase-merged: the pull request's commits were replayed one by one, so the merge commit's
  // parent is one of them too, and reverting the merge commit would undo only the last.
  if (pull && pull.commits > 1 && merge.parents.length === 1 && (await pullRequestsOf(octokit, repo, parent)).includes(pull.number)) {
    return { kind: "rebase-merge", commits: pull.commits };
  }
  const { data: comparison } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${parent}...${merge.sha}`, per_page: 1 });
  const files = comparison.files ?? [];
  if (files.length >= COMPARE_FILES_MAX) return { kind: "too-large", reason: "files" };
  const paths = changedPaths(files.map((file) => ({ filename: file.filename, ...(file.previous_filename ? { previousFilename: file.previous_filename } : {}) })));

  const { data: head } = await octokit.rest.repos.getBranch({ ...repo, branch: state.branch });
  const headTreeSha = head.commit.commit.tree.sha;
  const [parentTree, mergeTree, headTree] = await Promise.all([
    readTree(octokit, repo, comparison.base_commit.commit.tree.sha),
    readTree(octokit, repo, merge.tree),
    head.commit.sha === merge.sha ? undefined : readTree(octokit, repo, headTreeSha),
  ]);
  if (parentTree === "truncated" || mergeTree === "truncated" || headTree === "truncated") return { kind: "too-large", reason: "tree" };
  const plan = planRevertTree({ paths, parent: parentTree, merge: mergeTree, head: headTree ?? mergeTree });
  if (plan.kind === "changed-since") return { kind: "changed-since", paths: plan.paths, head: head.commit.sha };
  if (plan.kind === "already-reverted") return { kind: "already-reverted", head: head.commit.sha };

  const subject: RevertSubject = { state, commitTitle: merge.message.split("\n", 1)[0] ?? "", by: request.by, ...(pull ? { pullRequest: { number: pull.number, title: pull.title } } : {}) };
  return writeRevert(octokit, { repo, subject, branch, compareUrl, head: { sha: head.commit.sha, tree: headTreeSha }, entries: plan.entries });
}

/** The tree on the head's, the commit, the branch, then the pull request; a permission GitHub refuses is an outcome. */
async function writeRevert(
  octokit: GitHubClient,
  params: { repo: RepoRef; subject: RevertSubject; branch: string; compareUrl: string; head: { sha: string; tree: string }; entries: RevertTreeEntry[] },
): Promise<RevertOutcome> {
  const { repo, subject, branch, compareUrl } = params;
  try {
    const { data: tree } = await octokit.rest.git.createTree({ ...repo, base_tree: params.head.tree, tree: params.entries });
    const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message: revertCommitMessage(subject), tree: tree.sha, parents: [params.head.sha] });
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.sha });
  } catch (error) {
    if (isMissingPermission(error)) return { kind: "missing-permission", permission: acceptedPermissions(error) ?? "contents=write", status: statusOf(error) };
    // Another request for the same revert made the branch first.
    if (isHttpStatus(error, 422) && /already exists/i.test(String(error))) return { kind: "exists", branch, compareUrl };
    throw error;
  }
  const paths = params.entries.map((entry) => entry.path);
  try {
    const { data: opened } = await octokit.rest.pulls.create({ ...repo, title: revertTitle(subject), head: branch, base: subject.state.branch, body: revertPullRequestBody(subject, paths) });
    return { kind: "opened", branch, paths, pullRequest: { number: opened.number, url: opened.html_url } };
  } catch (error) {
    if (isMissingPermission(error)) return { kind: "missing-permission", permission: acceptedPermissions(error) ?? "pull_requests=write", status: statusOf(error), branch, compareUrl };
    throw error;
  }
}

/** An open pull request from the revert's branch, or the branch alone. */
async function findExisting(octokit: GitHubClient, repo: RepoRef, branch: string): Promise<{ pullRequest?: { number: number; url: string } } | undefined> {
  const { data: open } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: "open", per_page: 1 });
  const first = open[0];
  if (first) return { pullRequest: { number: first.number, url: first.html_url } };
  try {
    await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    return {};
  } catch (error) {
    if (isHttpStatus(error, 404)) return undefined;
    throw error;
  }
}

interface CommitRead {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  /** https://github.com/<owner>/<repo>, from the commit's page: links work on GitHub Enterprise too. */
  repositoryUrl: string;
}

async function readCommit(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<CommitRead> {
  const { data } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
  return { sha: data.sha, tree: data.tree.sha, parents: data.parents.map((parent) => parent.sha), message: data.message, repositoryUrl: data.html_url.replace(/\/commit\/[0-9a-f]+$/, "") };
}

async function readPullRequest(octokit: GitHubClient, repo: RepoRef, number: number): Promise<{ number: number; title: string; commits: number }> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return { number: data.number, title: data.title, commits: data.commits };
}

async function pullRequestsOf(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<number[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
  return data.map((pull) => pull.number);
}

const modes: ReadonlySet<string> = new Set<GitEntry["mode"]>(["100644", "100755", "040000", "160000", "120000"]);

/** Files and submodules by path, or "truncated" when GitHub did not return the whole tree (over 100,000 entries or 7 MB). */
async function readTree(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<GitTree | "truncated"> {
  const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "true" });
  if (data.truncated) return "truncated";
  const tree = new Map<string, GitEntry>();
  for (const entry of data.tree) {
    if ((entry.type !== "blob" && entry.type !== "commit") || !entry.path || !entry.sha || !entry.mode || !modes.has(entry.mode)) continue;
    tree.set(entry.path, { mode: entry.mode as GitEntry["mode"], type: entry.type, sha: entry.sha });
  }
  return tree;
}

const statusOf = (error: unknown): number => (isHttpStatus(error, 404) ? 404 : 403);
