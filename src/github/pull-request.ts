// Webhook payloads and API responses become Slipway's own types here, with a precise error for
// a missing field, so nothing past this file handles GitHub's shapes.

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequestRef extends RepoRef {
  number: number;
  headSha: string;
  baseSha: string;
  /** The head branch lives in another repository: the pull request comes from a fork. */
  isFork: boolean;
  state: "open" | "closed";
}

export class PayloadError extends Error {
  override readonly name = "PayloadError";
}

/** Reads a pull request as webhooks and `GET /repos/{owner}/{repo}/pulls/{number}` send it. */
export function toPullRequestRef(repository: RepoRef, pr: unknown): PullRequestRef {
  const read = reader(pr, "pull_request");
  const headRepo = read.optionalString("head", "repo", "full_name");
  const baseRepo = read.string("base", "repo", "full_name");
  const state = read.string("state");
  return {
    ...repository,
    number: read.number("number"),
    headSha: read.string("head", "sha"),
    baseSha: read.string("base", "sha"),
    // A deleted fork leaves head.repo null: still not this repository.
    isFork: headRepo !== baseRepo,
    state: state === "closed" ? "closed" : "open",
  };
}

export function toRepoRef(repository: unknown): RepoRef {
  const read = reader(repository, "repository");
  return { owner: read.string("owner", "login"), repo: read.string("name") };
}

function reader(root: unknown, what: string) {
  const at = (path: string[]): unknown =>
    path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root);
  return {
    string(...path: string[]): string {
      const value = at(path);
      if (typeof value !== "string" || value === "") throw new PayloadError(`${what}.${path.join(".")} is missing or not a string`);
      return value;
    },
    optionalString(...path: string[]): string | undefined {
      const value = at(path);
      return typeof value === "string" ? value : undefined;
    },
    number(...path: string[]): number {
      const value = at(path);
      if (typeof value !== "number") throw new PayloadError(`${what}.${path.join(".")} is missing or not a number`);
      return value;
    },
  };
}
