// What a repository may do: its .github/slipway.yml, narrowed to its rule of the server's policy.
// A configuration that is missing, invalid or beyond the policy, or a repository no rule
// matches, gets no cluster access; the caller says why in a comment or a check run.
import { authorize, type GrantedEnvironment } from "../config/narrow.js";
import { ruleFor, type ForksLevel, type Policy } from "../config/policy.js";
import type { RepoConfig } from "../config/schema.js";
import type { ConfigProblem } from "../render/config-problem.js";
import type { GitHubClient } from "./octokit.js";
import type { RepoRef } from "./pull-request.js";
import { loadRepoConfig } from "./repo-reader.js";

export type RepoAccess = { ok: true; config: RepoConfig; environments: GrantedEnvironment[]; forks: ForksLevel } | { ok: false; problem: ConfigProblem };

export async function readRepoAccess(octokit: GitHubClient, params: RepoRef & { policy: Policy; ref?: string }): Promise<RepoAccess> {
  const loaded = await loadRepoConfig(octokit, params);
  if (!loaded.ok) return { ok: false, problem: "missing" in loaded ? { kind: "missing" } : { kind: "invalid", findings: loaded.findings } };
  const authorization = authorize({
    config: loaded.config,
    lineOf: loaded.lineOf,
    written: loaded.written,
    policy: params.policy,
    rule: ruleFor(params.policy, `${params.owner}/${params.repo}`),
  });
  if (authorization.ok) return { ...authorization, config: loaded.config };
  return { ok: false, problem: authorization.reason === "no-rule" ? { kind: "no-rule" } : { kind: "beyond-policy", findings: authorization.findings } };
}
