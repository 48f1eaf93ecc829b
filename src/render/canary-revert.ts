// The revert pull request a failed canary offers (`/canary revert`, the Revert button): its
// commit message, title and body, and what Slipway answers — the pull request it opened or found,
// or why it opened none (a later change to the same files, a permission the app lacks, …).
import type { CanaryState } from "../canary/types.js";
import { failureHeadline } from "./canary-outcome.js";
import { codeSpan, escapeMarkdown, flattenText, isSafeUrl } from "./escape.js";
import { truncateText } from "./limits.js";
import { plural } from "./plural.js";

/** The pull request whose merge the canary tested: what the revert names. */
export interface RevertedPullRequest {
  number: number;
  title: string;
}

/** What the revert is about: the failed canary and the merge that produced its revision. */
export interface RevertSubject {
  state: Pick<CanaryState, "environment" | "namespace" | "workload" | "commit" | "branch" | "checks" | "weight" | "failedChecks" | "message" | "checkRun">;
  pullRequest?: RevertedPullRequest;
  /** The merge commit's first line, the title when no pull request is known. */
  commitTitle: string;
  /** Who asked, a GitHub login. */
  by: string;
}

/**
 * - opened: the branch and the pull request were made;
 * - exists: an open pull request from the revert's branch, or the branch alone, is there already;
 * - changed-since: later commits on the branch changed some of the same paths;
 * - already-reverted: the branch holds every path as it was before the merge;
 * - too-large: more files than GitHub's compare lists (300), or a tree it truncates;
 * - rebase-merge: the pull request's commits were rebased one by one onto the branch;
 * - missing-permission: GitHub refused a write the installation is not allowed to make;
 *   `permission` as GitHub's `X-Accepted-GitHub-Permissions` writes it (`contents=write`), and
 *   `branch` when the branch was made and only the pull request was refused.
 */
export type RevertOutcome =
  | { kind: "opened"; pullRequest: { number: number; url: string }; branch: string; paths: string[] }
  | { kind: "exists"; branch: string; pullRequest?: { number: number; url: string }; compareUrl: string }
  | { kind: "changed-since"; paths: string[]; head: string }
  | { kind: "already-reverted"; head: string }
  | { kind: "too-large"; reason: "files" | "tree" }
  | { kind: "rebase-merge"; commits: number }
  | { kind: "missing-permission"; permission: string; status: number; branch?: string; compareUrl?: string };

/** The branch a revert of `commit` lives on: one per merge, so asking twice finds the first. */
export const revertBranchName = (commit: string): string => `slipway/revert-${commit.slice(0, 7)}`;

/** GitHub allows 256 characters in a pull request's title. */
const TITLE_MAX = 256;
/** Paths listed in the body; the commit itself has them all. */
const LISTED_PATHS = 50;

const revertedTitle = (subject: RevertSubject): string => flattenText(subject.pullRequest?.title ?? subject.commitTitle);

export function revertTitle(subject: RevertSubject): string {
  return truncateText(`Revert "${revertedTitle(subject)}"`, TITLE_MAX);
}

const canaryName = (state: RevertSubject["state"]): string => `Deployment/${state.namespace}/${state.workload}`;

/** Plain text: the message of the revert commit. */
export function revertCommitMessage(subject: RevertSubject): string {
  const { state, pullRequest } = subject;
  const from = pullRequest ? ` (pull request #${pullRequest.number})` : "";
  return [
    revertTitle(subject),
    "",
    `This reverts commit ${state.commit}${from}.`,
    "",
    `Its canary of ${canaryName(state)} in ${flattenText(state.environment)} failed: ${flattenText(failureHeadline(state))}.`,
    "",
    `Asked for by ${subject.by} with /canary revert; made by Slipway.`,
    "",
  ].join("\n");
}

export function revertPullRequestBody(subject: RevertSubject, paths: readonly string[]): string {
  const { state, pullRequest } = subject;
  const commit = codeSpan(state.commit.slice(0, 7));
  const what = pullRequest ? `#${pullRequest.number} (commit ${commit})` : `commit ${commit}`;
  const checkRun = state.checkRun?.url && isSafeUrl(state.checkRun.url) ? `[The failed check run](${state.checkRun.url}) has every check and its queries.` : "The failed check run on the merge commit has every check and its queries.";
  const listed = paths.slice(0, LISTED_PATHS).map((path) => `- ${codeSpan(path)}`);
  if (paths.length > LISTED_PATHS) listed.push(`- … and ${plural(paths.length - LISTED_PATHS, "more path")} (the commit has them all)`);
  return [
    `Reverts ${what}: its canary of ${codeSpan(canaryName(state))} in **${escapeMarkdown(state.environment)}** failed: ${escapeMarkdown(failureHeadline(state))}.`,
    "",
    checkRun,
    "",
    `This puts back ${plural(paths.length, "path")} as ${paths.length === 1 ? "it was" : "they were"} before the merge, on top of ${codeSpan(state.branch)} as it is now:`,
    "",
    ...listed,
    "",
    `Asked for by @${subject.by} with \`/canary revert\`. Merging it applies ${codeSpan(state.branch)} like any merge.`,
    "",
  ].join("\n");
}

/** Slipway's answer on the merged pull request. */
export function renderRevertOutcome(outcome: RevertOutcome, subject: Pick<RevertSubject, "state">): string {
  const { state } = subject;
  const commit = codeSpan(state.commit.slice(0, 7));
  const branch = codeSpan(state.branch);
  const byHand = `Revert it by hand (${codeSpan(`git revert ${state.commit.slice(0, 7)}`)}, or GitHub's Revert button on the pull request).`;
  const link = (url: string, text: string) => (isSafeUrl(url) ? `[${text}](${url})` : text);
  switch (outcome.kind) {
    case "opened":
      return `Opened #${outcome.pullRequest.number}: it reverts ${commit} on ${branch}, putting back ${plural(outcome.paths.length, "path")} as before the merge. Review and merge it to roll the environment back in Git.`;
    case "exists":
      return outcome.pullRequest
        ? `A revert of ${commit} is already open: #${outcome.pullRequest.number}.`
        : `The branch ${codeSpan(outcome.branch)} already holds a revert of ${commit}: ${link(outcome.compareUrl, "open a pull request from it")}, or delete it for Slipway to make a new one.`;
    case "changed-since":
      return [
        `No revert opened: later commits on ${branch} (now at ${codeSpan(outcome.head.slice(0, 7))}) changed ${outcome.paths.length === 1 ? "a file" : "files"} this merge changed, and a revert would undo their changes too:`,
        "",
        ...outcome.paths.slice(0, LISTED_PATHS).map((path) => `- ${codeSpan(path)}`),
        ...(outcome.paths.length > LISTED_PATHS ? [`- … and ${plural(outcome.paths.length - LISTED_PATHS, "more path")}`] : []),
        "",
        `${byHand} Keep what the later commits meant to change.`,
      ].join("\n");
    case "already-reverted":
      return `No revert opened: ${branch} (at ${codeSpan(outcome.head.slice(0, 7))}) already has every file ${commit} changed as it was before it.`;
    case "too-large":
      return `No revert opened: ${outcome.reason === "files" ? `${commit} changed 300 files or more, more than GitHub's compare lists` : "the repository's tree is larger than GitHub returns in one request"}, so Slipway cannot be sure to revert all of it. ${byHand}`;
    case "rebase-merge":
      return `No revert opened: the pull request was rebase-merged, so its ${plural(outcome.commits, "commit")} are separate commits on ${branch}, and reverting ${commit} alone would undo only the last. Revert them by hand (${codeSpan(`git revert <its first commit>^..${state.commit.slice(0, 7)}`)}, or GitHub's Revert button on the pull request).`;
    case "missing-permission": {
      const pushed = outcome.branch
        ? ` The branch ${codeSpan(outcome.branch)} holds the revert: ${outcome.compareUrl ? link(outcome.compareUrl, "open a pull request from it") : "open a pull request from it"}, or delete it and ask again once the permission is granted.`
        : " Nothing was written.";
      return `The revert could not finish: GitHub answered ${outcome.status} because the Slipway GitHub App lacks the permission ${permissionWords(outcome.permission)} on this repository.${pushed} Revert pull requests are opt-in: an owner grants the app \`contents: write\` and \`pull_requests: write\` (app.yml asks for neither) and accepts the new permissions on the installation.`;
    }
  }
}

/** The audit trail's line for a `/canary revert` (the check run's history, `slipway canary status`). */
export function revertEventWords(outcome: RevertOutcome): string {
  switch (outcome.kind) {
    case "opened":
      return `/canary revert: opened pull request #${outcome.pullRequest.number}`;
    case "exists":
      return outcome.pullRequest ? `/canary revert: pull request #${outcome.pullRequest.number} was already open` : `/canary revert: branch ${outcome.branch} already there`;
    case "changed-since":
      return `/canary revert: refused, ${plural(outcome.paths.length, "path")} changed since the merge`;
    case "already-reverted":
      return "/canary revert: nothing to revert";
    case "too-large":
      return "/canary revert: refused, too large for the API";
    case "rebase-merge":
      return "/canary revert: refused, a rebase merge";
    case "missing-permission":
      return `/canary revert: GitHub refused (${outcome.permission} missing)`;
  }
}

/** A Revert button's answer, on the pull request (a button has no comment to answer): who pressed it where, and the answer. */
export function renderRevertButtonAnswer(params: { username: string; checkRun: string; reply: string }): string {
  return `@${params.username} pressed Revert on ${codeSpan(params.checkRun)}. ${params.reply}`;
}

/**
 * GitHub's `X-Accepted-GitHub-Permissions` as app.yml writes it: `contents=write` reads
 * `contents: write`; sets that would each do (`;`) are joined by "or", a set's parts (`,`) by "and".
 */
export function permissionWords(accepted: string): string {
  const sets = accepted.split(";").map((set) => set.split(",").map((part) => part.trim()).filter(Boolean).map((part) => codeSpan(part.replace(/\s*=\s*/, ": "))).join(" and ")).filter(Boolean);
  return sets.length > 0 ? sets.join(" or ") : codeSpan(accepted);
}
