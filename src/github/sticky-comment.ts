// One comment per pull request, found again by a hidden marker and edited in place, never a
// new comment per push (GitHub limits content creation to about 80 requests a minute).
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";

export const planCommentMarker = "<!-- slipway:plan -->";

export async function upsertStickyComment(
  octokit: GitHubClient,
  params: RepoRef & { number: number; body: string; marker: string },
): Promise<{ id: number; created: boolean }> {
  const { owner, repo, number, body, marker } = params;
  const existing = await findStickyComment(octokit, { owner, repo, number, marker });
  if (existing !== undefined) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body });
    return { id: existing, created: false };
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
  return { id: data.id, created: true };
}

async function findStickyComment(octokit: GitHubClient, params: RepoRef & { number: number; marker: string }): Promise<number | undefined> {
  const iterator = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: params.owner,
    repo: params.repo,
    issue_number: params.number,
    per_page: 100,
  });
  for await (const page of iterator) {
    // Only a bot's comment: a person quoting the marker must not have their comment overwritten.
    const found = page.data.find((comment) => comment.user?.type === "Bot" && comment.body?.startsWith(params.marker));
    if (found) return found.id;
  }
  return undefined;
}
