// The part of Octokit Slipway uses: the REST methods and pagination of an installation client.
import type { ProbotOctokit } from "probot";

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export const isHttpStatus = (error: unknown, status: number): boolean =>
  typeof error === "object" && error !== null && "status" in error && (error).status === status;
