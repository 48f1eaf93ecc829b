// Counts every request to GitHub's API by method and answer, through Octokit's request hooks.
import type { Octokit } from "@octokit/core";
import type { Observer } from "./observer.js";

export function countGitHubRequests(observer: Observer) {
  return (octokit: Octokit): void => {
    octokit.hook.after("request", (response, options) => observer.githubRequest(options.method, response.status));
    octokit.hook.error("request", (error, options) => {
      const status = (error as { status?: unknown }).status;
      observer.githubRequest(options.method, typeof status === "number" ? status : "error");
      throw error;
    });
  };
}
