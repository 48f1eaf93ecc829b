// Check runs on the head commit: created in progress when the work starts, completed with the
// report. Annotations go 50 per request (GitHub's limit); later updates append to earlier ones.
import { batchAnnotations, type CheckRunReport } from "../render/check-run.js";
import { describeConfigProblem, type ConfigProblem } from "../render/config-problem.js";
import { CHECK_RUN_SUMMARY_MAX, truncateText } from "../render/limits.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";

export interface CheckRunHandle {
  id: number;
  url: string;
}

export async function startCheckRun(octokit: GitHubClient, params: RepoRef & { name: string; headSha: string }): Promise<CheckRunHandle> {
  const { data } = await octokit.rest.checks.create({
    owner: params.owner,
    repo: params.repo,
    name: params.name,
    head_sha: params.headSha,
    status: "in_progress",
    started_at: new Date().toISOString(),
  });
  return { id: data.id, url: data.html_url ?? "" };
}

/** What a completed check run shows: the plan's report, or the apply's (which has no annotations). */
export type CompletedCheckRun = Pick<CheckRunReport, "title" | "summary" | "text"> & {
  conclusion: "success" | "failure" | "skipped" | "neutral";
  annotations?: CheckRunReport["annotations"];
};

export async function completeCheckRun(octokit: GitHubClient, params: RepoRef & { checkRun: CheckRunHandle; report: CompletedCheckRun }): Promise<void> {
  const { report } = params;
  const [first = [], ...rest] = batchAnnotations(report.annotations ?? []);
  const target = { owner: params.owner, repo: params.repo, check_run_id: params.checkRun.id };
  const output = { title: report.title, summary: report.summary, text: report.text };
  await octokit.rest.checks.update({
    ...target,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: first.length > 0 ? { ...output, annotations: first } : output,
  });
  for (const annotations of rest) await octokit.rest.checks.update({ ...target, output: { ...output, annotations } });
}

/** A check run that is complete as soon as it is created (a report that needed no work). */
export async function reportCompletedCheckRun(octokit: GitHubClient, params: RepoRef & { sha: string; report: CompletedCheckRun & { name: string } }): Promise<void> {
  const { report } = params;
  await octokit.rest.checks.create({
    owner: params.owner,
    repo: params.repo,
    name: report.name,
    head_sha: params.sha,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: { title: report.title, summary: report.summary, ...(report.text ? { text: report.text } : {}) },
  });
}

/**
 * A commit whose configuration gives no cluster access (missing, invalid, beyond the policy, or
 * no rule): one completed `slipway/apply` check run that says so, since no environment is known.
 */
export async function reportConfigProblem(octokit: GitHubClient, params: RepoRef & { sha: string; problem: ConfigProblem }): Promise<void> {
  await octokit.rest.checks.create({
    owner: params.owner,
    repo: params.repo,
    name: "slipway/apply",
    head_sha: params.sha,
    status: "completed",
    conclusion: "failure",
    completed_at: new Date().toISOString(),
    output: { title: "Nothing applied: no cluster access for this commit", summary: truncateText(describeConfigProblem(params.problem, "commit"), CHECK_RUN_SUMMARY_MAX / 3) },
  });
}

/**
 * A check run that could not produce a report: what failed, and what to do, as its summary.
 * `neutral` when it is not the commit's fault nor a failure of Slipway (the server shut down).
 */
export async function failCheckRun(octokit: GitHubClient, params: RepoRef & { checkRun: CheckRunHandle; title: string; summary: string; conclusion?: "failure" | "neutral" }): Promise<void> {
  await octokit.rest.checks.update({
    owner: params.owner,
    repo: params.repo,
    check_run_id: params.checkRun.id,
    status: "completed",
    conclusion: params.conclusion ?? "failure",
    completed_at: new Date().toISOString(),
    output: { title: truncateText(params.title, 200), summary: truncateText(params.summary, CHECK_RUN_SUMMARY_MAX / 3) },
  });
}
