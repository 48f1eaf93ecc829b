// The part of Octokit Slipway uses: the REST methods and pagination of an installation client.
import type { ProbotOctokit } from "probot";
import type { WritePacing } from "./write-pacing.js";

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export const isHttpStatus = (error: unknown, status: number): boolean =>
  typeof error === "object" && error !== null && "status" in error && (error).status === status;

/**
 * A write the installation is not allowed to make: 403 "Resource not accessible by integration"
 * (or 404, as GitHub answers some writes to an app that cannot see them), but not a rate limit,
 * which is a 403 too, with `x-ratelimit-remaining: 0` or `retry-after`.
 * https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api
 */
export function isMissingPermission(error: unknown): boolean {
  if (!isHttpStatus(error, 403) && !isHttpStatus(error, 404)) return false;
  const headers = headersOf(error);
  return headers["x-ratelimit-remaining"] !== "0" && headers["retry-after"] === undefined;
}

/**
 * What GitHub says the refused request needed, e.g. `contents=write` (sets of permissions that
 * would each do are separated by `;`): the header `X-Accepted-GitHub-Permissions`, sent to apps.
 * https://github.blog/changelog/2023-08-10-x-accepted-github-permissions-header-for-fine-grained-permission-actors
 */
export function acceptedPermissions(error: unknown): string | undefined {
  const value = headersOf(error)["x-accepted-github-permissions"];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function headersOf(error: unknown): Record<string, unknown> {
  const response = typeof error === "object" && error !== null && "response" in error ? (error as { response?: { headers?: unknown } }).response : undefined;
  return typeof response?.headers === "object" && response.headers !== null ? (response.headers as Record<string, unknown>) : {};
}

/**
 * Octokit defaults that put Slipway's write pacing (write-pacing.ts) in place of
 * @octokit/plugin-throttling's `write` group, which the plugin takes from its `throttle` options.
 * Left as they are when throttling is off, or shared between replicas through Redis
 * (`connection`), where the plugin's own groups keep the pacing in Redis.
 */
export function withWritePacing(pacing: WritePacing): (options: Record<string, unknown>) => Record<string, unknown> {
  return (options) => {
    const throttle = (options.throttle ?? {}) as { enabled?: boolean; connection?: unknown };
    if (throttle.enabled === false || throttle.connection !== undefined) return options;
    return { ...options, throttle: { ...throttle, write: pacing } };
  };
}
