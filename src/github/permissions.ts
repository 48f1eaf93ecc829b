// Who may run a command: collaborators with write access (maintain and admin included).
// `author_association` is not a permission, so ask the API.
import { isHttpStatus, type GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";

export async function canWrite(octokit: GitHubClient, params: RepoRef & { username: string }): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: params.owner, repo: params.repo, username: params.username });
    return data.permission === "admin" || data.permission === "write";
  } catch (error) {
    if (isHttpStatus(error, 404)) return false;
    throw error;
  }
}
