// A repository's configuration within its rule of the server's policy. The repository can only
// narrow what the rule grants: anything beyond it is a configuration error on its line, and then
// nothing touches the cluster. What the repository leaves out, the rule fills in.
import { kindPatternWithin } from "../manifests/kind-pattern.js";
import type { Finding } from "../manifests/types.js";
import { configFinding, configPath, type LineOfPath, type WrittenAt } from "./load.js";
import { forksRank, namespaceGranted, type ForksLevel, type Identity, type Policy, type PolicyRule } from "./policy.js";
import type { EnvironmentConfig, RepoConfig } from "./schema.js";

/** An environment as the engine runs it: narrowed to the rule, with the identity to act as. */
export interface GrantedEnvironment {
  environment: EnvironmentConfig & { context: string };
  /** Whom Slipway impersonates for this repository; undefined: its own identity. */
  identity?: Identity;
  /** The Prometheus of the environment's context, from the policy (never from the repository). */
  prometheus?: string;
  /** How often that Prometheus scrapes, in ms: a query window is at least four of these. */
  prometheusScrapeIntervalMs?: number;
}

export type Authorization =
  | { ok: true; environments: GrantedEnvironment[]; forks: ForksLevel }
  /** No rule matches the repository: it gets no cluster access at all. */
  | { ok: false; reason: "no-rule" }
  | { ok: false; reason: "beyond-policy"; findings: Finding[] };

export function authorize(params: {
  config: RepoConfig;
  lineOf: LineOfPath;
  written: WrittenAt;
  policy: Policy;
  rule: PolicyRule | undefined;
  file?: string;
}): Authorization {
  const { config, lineOf, written, rule } = params;
  if (!rule) return { ok: false, reason: "no-rule" };
  const file = params.file ?? configPath;
  const findings: Finding[] = [];
  const refuse = (path: Array<string | number>, message: string) => findings.push(configFinding(file, lineOf(path), message));

  // A default the repository did not write is brought within the rule; what it wrote must fit.
  let forks = config.forks;
  if (forksRank(forks) > forksRank(rule.forks)) {
    if (written(["forks"])) refuse(["forks"], `forks: ${config.forks} goes beyond what the server's policy grants this repository (at most ${rule.forks}).`);
    forks = rule.forks;
  }
  const environments = config.environments.map((environment, index) => {
    const at = (...path: Array<string | number>) => ["environments", index, ...path];
    const where = `environment ${environment.name}`;
    const context = environment.context ?? rule.contexts[0] ?? "";
    // The same words for an unknown context and a forbidden one: the repository learns nothing
    // about the server's other contexts.
    if (!rule.contexts.includes(context)) refuse(at("context"), `${where}: context "${context}" is not granted to this repository by the server's policy.`);
    for (const [field, namespace] of [
      ["namespace", environment.namespace],
      ["inventoryNamespace", environment.inventoryNamespace],
    ] as const) {
      if (namespace !== undefined && !namespaceGranted(rule, namespace)) {
        const defaulted = written(at(field)) ? "" : ` (the default; set \`${field}\` to one the policy grants)`;
        refuse(at(field), `${where}: namespace "${namespace}"${defaulted} is not granted to this repository by the server's policy.`);
      }
    }
    environment.allowedNamespaces?.forEach((namespace, i) => {
      if (!namespaceGranted(rule, namespace)) refuse(at("allowedNamespaces", i), `${where}: namespace "${namespace}" is not granted to this repository by the server's policy.`);
    });
    const clusterScoped = narrowClusterScoped(environment.clusterScoped, rule, (path, message) => refuse(at("clusterScoped", ...path), `${where}: ${message}`));
    if (environment.conflicts === "force" && !rule.conflictsForce) {
      refuse(at("conflicts"), `${where}: conflicts: force is not granted to this repository by the server's policy; use fail or warn.`);
    }
    environment.prune.allow.forEach((kind, i) => {
      if (!rule.pruneAllow.includes(kind)) refuse(at("prune", "allow", i), `${where}: pruning ${kind} objects is not granted to this repository by the server's policy.`);
    });
    if (environment.adopt && !rule.adopt) refuse(at("adopt"), `${where}: adopt: true is not granted to this repository by the server's policy.`);
    const granted: GrantedEnvironment = {
      environment: { ...environment, context, clusterScoped, allowedNamespaces: environment.allowedNamespaces ?? rule.namespaces },
      ...(rule.impersonate ? { identity: rule.impersonate } : {}),
    };
    const settings = params.policy.contexts[context];
    return settings?.prometheus ? { ...granted, prometheus: settings.prometheus, prometheusScrapeIntervalMs: settings.scrapeInterval } : granted;
  });
  if (findings.length > 0) return { ok: false, reason: "beyond-policy", findings };
  return { ok: true, environments, forks };
}

/** The cluster-scoped kinds the environment may change, as an explicit list (empty: none). */
function narrowClusterScoped(
  requested: EnvironmentConfig["clusterScoped"],
  rule: PolicyRule,
  refuse: (path: Array<string | number>, message: string) => void,
): string[] {
  if (requested === false) return [];
  if (requested === true) {
    if (rule.clusterScopedKinds.length === 0) refuse([], "clusterScoped: the server's policy grants this repository no cluster-scoped kinds.");
    return rule.clusterScopedKinds;
  }
  requested.forEach((kind, i) => {
    if (!rule.clusterScopedKinds.some((granted) => kindPatternWithin(kind, granted))) {
      refuse([i], `cluster-scoped kind ${kind} is not granted to this repository by the server's policy.`);
    }
  });
  return requested;
}
