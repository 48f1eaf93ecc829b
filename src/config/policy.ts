// The server's policy: what each repository the app is installed on may do. The operator writes
// it (SLIPWAY_POLICY=/etc/slipway/policy.yaml); a repository's .github/slipway.yml can only
// narrow what its rule grants. The cluster's RBAC, through the identity Slipway impersonates for
// the repository, remains the last word.
import picomatch from "picomatch";
import * as z from "zod";
import type { Finding } from "../manifests/types.js";
import { parseYamlConfig } from "./load.js";
import { duration } from "./canary-schema.js";
import { kindName } from "./schema.js";

export const forksLevels = ["ignore", "validate", "plan"] as const;
export type ForksLevel = (typeof forksLevels)[number];

const identitySchema = z
  .object({
    user: z.string().min(1).describe("Impersonate-User, e.g. system:serviceaccount:slipway-tenants:web."),
    groups: z.array(z.string().min(1)).default([]).describe("Impersonate-Group values."),
  })
  .strict();

export const ruleSchema = z
  .object({
    repositories: z
      .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "an owner/name pattern such as `acme/web` or `acme/*`"))
      .min(1)
      .describe("Repositories this rule is for: owner/name patterns (`acme/*`, `acme/web-*`), case-insensitive. The first rule that matches a repository is its rule."),
    contexts: z
      .array(z.string().min(1))
      .min(1)
      .describe("kubeconfig contexts of the server the repository may use; the first is the default for environments that name none."),
    namespaces: z
      .array(z.string().min(1))
      .min(1)
      .describe("Namespaces the repository may touch: names or patterns (`web`, `web-*`, `*`). Its inventory and Lease live in one of them."),
    clusterScopedKinds: z
      .array(kindName)
      .default([])
      .describe("Cluster-scoped kinds the repository may change (`Namespace`, `rbac.authorization.k8s.io/ClusterRole`); none by default."),
    conflictsForce: z.boolean().default(false).describe("May the repository set `conflicts: force`?"),
    pruneAllow: z
      .array(z.enum(["Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume"]))
      .default([])
      .describe("The guarded kinds the repository may put in `prune.allow`."),
    adopt: z.boolean().default(false).describe("May the repository set `adopt: true` (take over objects Slipway did not apply)?"),
    forks: z.enum(forksLevels).default("validate").describe("The most the repository may give pull requests from forks: ignore < validate < plan."),
    impersonate: identitySchema.optional().describe("The Kubernetes identity Slipway acts as for this repository (Impersonate-User/-Group)."),
  })
  .strict();

/** kube-prometheus-stack's scrape interval, the most common in clusters that run canaries. */
const defaultScrapeIntervalMs = 30_000;

export const prometheusUrl = z.url({ protocol: /^https?$/ });

export const policySchema = z
  .object({
    rules: z.array(ruleSchema).describe("Checked in order; a repository no rule matches gets no cluster access."),
    contexts: z
      .record(
        z.string(),
        z
          .object({
            prometheus: prometheusUrl.optional().describe("The Prometheus that canary analysis of this context queries (credentials may be given as https://user:password@host)."),
            scrapeInterval: duration
              .default(defaultScrapeIntervalMs)
              .describe("How often that Prometheus scrapes the workloads: a canary's query window is at least four of them, so rate() always has samples to work with."),
          })
          .strict(),
      )
      .default({})
      .describe("Server settings per kubeconfig context, never taken from a repository."),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type Identity = z.infer<typeof identitySchema>;

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; findings: Finding[] };

export function parsePolicy(text: string, file: string): PolicyResult {
  const parsed = parseYamlConfig(policySchema, text, file);
  return parsed.ok ? { ok: true, policy: parsed.config } : parsed;
}

/**
 * Without a policy file (never in production): the kubeconfig's current context, any namespace,
 * namespaced kinds only, no force, no guarded prunes, no adoption, no impersonation; and the
 * Prometheus of SLIPWAY_PROMETHEUS_URL for that context, when the server was given one.
 */
export function developmentPolicy(currentContext: string, options: { prometheus?: string } = {}): Policy {
  return {
    rules: [
      {
        repositories: ["*/*"],
        contexts: [currentContext],
        namespaces: ["*"],
        clusterScopedKinds: [],
        conflictsForce: false,
        pruneAllow: [],
        adopt: false,
        forks: "validate",
      },
    ],
    contexts: options.prometheus ? { [currentContext]: { prometheus: options.prometheus, scrapeInterval: defaultScrapeIntervalMs } } : {},
  };
}

/** The first rule whose patterns match `owner/name`, or undefined: then the repository gets nothing. */
export function ruleFor(policy: Policy, repository: string): PolicyRule | undefined {
  return policy.rules.find((rule) => picomatch.isMatch(repository, rule.repositories, { nocase: true, dot: true }));
}

/** Whether a namespace is one of the rule's names or patterns. */
export function namespaceGranted(rule: Pick<PolicyRule, "namespaces">, namespace: string): boolean {
  return picomatch.isMatch(namespace, rule.namespaces, { dot: true });
}

export const forksRank = (level: ForksLevel): number => forksLevels.indexOf(level);
