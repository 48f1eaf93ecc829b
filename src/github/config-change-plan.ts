// A pull request that edits .github/slipway.yml gets a plan of the configuration change itself:
// the new file is read at the head commit (from the files the plan already read), checked
// against the schema and the server's policy, and compared with the configuration in force.
import { diffConfigs } from "../config/config-change.js";
import { parseRepoConfig } from "../config/load.js";
import { authorize } from "../config/narrow.js";
import { ruleFor, type Policy } from "../config/policy.js";
import type { RepoConfig } from "../config/schema.js";
import type { ConfigChangeReport } from "../render/config-change.js";
import type { RepoRef } from "./pull-request.js";
import type { ManifestFile } from "../manifests/manifest-file.js";

export function planConfigChange(params: { repo: RepoRef; headConfig: ManifestFile | undefined; current: RepoConfig; policy: Policy }): ConfigChangeReport {
  const file = params.headConfig;
  if (!file) return { change: { environments: params.current.environments.map((environment) => ({ kind: "removed", name: environment.name })), settings: [] } };
  const parsed = parseRepoConfig(file.content.toString("utf8"));
  if (!parsed.ok) return { invalid: parsed.findings };
  const authorization = authorize({
    config: parsed.config,
    lineOf: parsed.lineOf,
    written: parsed.written,
    policy: params.policy,
    rule: ruleFor(params.policy, `${params.repo.owner}/${params.repo.repo}`),
  });
  const change = diffConfigs(params.current, parsed.config);
  if (authorization.ok) return { change };
  if (authorization.reason === "no-rule") {
    return { change, beyondPolicy: [{ severity: "error", code: "config", message: "the server's policy has no rule for this repository" }] };
  }
  return { change, beyondPolicy: authorization.findings };
}
