import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/load.js";
import { authorize } from "../../src/config/narrow.js";
import { developmentPolicy, parsePolicy, ruleFor, type Policy } from "../../src/config/policy.js";

const policyText = `
rules:
  - repositories: ["acme/web", "acme/web-*"]
    contexts: [prod, staging]
    namespaces: [web, "web-*"]
    clusterScopedKinds: [Namespace]
    conflictsForce: true
    pruneAllow: [PersistentVolumeClaim]
    forks: plan
    impersonate:
      user: system:serviceaccount:slipway-tenants:web
      groups: [tenants]
  - repositories: ["acme/*"]
    contexts: [staging]
    namespaces: [sandbox]
contexts:
  prod:
    prometheus: http://prometheus.monitoring:9090
`;

function policy(): Policy {
  const parsed = parsePolicy(policyText, "policy.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  return parsed.policy;
}

function authorizeText(repository: string, text: string, against = policy()) {
  const parsed = parseRepoConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  return authorize({ config: parsed.config, lineOf: parsed.lineOf, written: parsed.written, policy: against, rule: ruleFor(against, repository) });
}

describe("parsePolicy", () => {
  it("fills defaults: no cluster-scoped kinds, no force, no adoption, forks validated only", () => {
    const rule = policy().rules[1];
    expect(rule).toEqual({ repositories: ["acme/*"], contexts: ["staging"], namespaces: ["sandbox"], clusterScopedKinds: [], conflictsForce: false, pruneAllow: [], adopt: false, forks: "validate" });
  });

  it.each([
    ["an unknown key", "rules:\n  - repositories: [a/b]\n    contexts: [x]\n    namespaces: [ns]\n    namepsaces: [z]\n", 2, /Unrecognized key.*namepsaces/],
    ["a repository pattern without owner", "rules:\n  - repositories: [web]\n    contexts: [x]\n    namespaces: [ns]\n", 2, /owner\/name/],
    ["a rule without namespaces", "rules:\n  - repositories: [a/b]\n    contexts: [x]\n", 2, /namespaces/],
    ["a scrape interval that is not a duration", "rules: []\ncontexts:\n  x:\n    prometheus: http://p:9090\n    scrapeInterval: 15\n", 5, /scrapeInterval/],
    ["a Prometheus that is not an http(s) URL", "rules: []\ncontexts:\n  x:\n    prometheus: file:///etc/passwd\n", 4, /prometheus/],
  ])("refuses %s, saying where", (_what, text, line, message) => {
    const parsed = parsePolicy(text, "policy.yaml");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.findings[0]).toMatchObject({ position: { file: "policy.yaml", line } });
    expect(parsed.findings[0]?.message).toMatch(message);
  });

  it("matches repositories by the first rule, case-insensitively", () => {
    expect(ruleFor(policy(), "Acme/Web-Blue")?.namespaces).toEqual(["web", "web-*"]);
    expect(ruleFor(policy(), "acme/payments")?.namespaces).toEqual(["sandbox"]);
    expect(ruleFor(policy(), "evil/web")).toBeUndefined();
  });
});

describe("authorize: a repository can only narrow its rule", () => {
  it("fills in what the repository leaves out from its rule", () => {
    const result = authorizeText("acme/web", "environments:\n  - name: prod\n    paths: [deploy/**]\n    namespace: web\n");
    expect(result).toMatchObject({
      ok: true,
      forks: "validate",
      environments: [
        {
          environment: { name: "prod", context: "prod", namespace: "web", allowedNamespaces: ["web", "web-*"], clusterScoped: [] },
          identity: { user: "system:serviceaccount:slipway-tenants:web", groups: ["tenants"] },
          prometheus: "http://prometheus.monitoring:9090",
          prometheusScrapeIntervalMs: 30_000,
        },
      ],
    });
  });

  it("turns clusterScoped: true into the kinds the rule grants", () => {
    const result = authorizeText("acme/web", "environments:\n  - name: prod\n    paths: [a]\n    namespace: web\n    clusterScoped: true\n");
    expect(result.ok && result.environments[0]?.environment.clusterScoped).toEqual(["Namespace"]);
  });

  it.each([
    ["a context the rule does not grant", "    context: kube-system-admin\n", 5, /context "kube-system-admin" is not granted/],
    ["a namespace beyond the rule", "    allowedNamespaces: [web, kube-system]\n", 5, /namespace "kube-system" is not granted/],
    ["cluster-scoped kinds beyond the rule", "    clusterScoped: [rbac.authorization.k8s.io/ClusterRoleBinding]\n", 5, /ClusterRoleBinding is not granted/],
    ["adoption the rule does not grant", "    adopt: true\n", 5, /adopt: true is not granted/],
    ["an inventory outside the granted namespaces", "    inventoryNamespace: default\n", 5, /namespace "default" is not granted/],
  ])("refuses %s, on its line", (_what, extra, line, message) => {
    const result = authorizeText("acme/web", `environments:\n  - name: prod\n    paths: [a]\n    namespace: web\n${extra}`);
    expect(result.ok).toBe(false);
    if (result.ok || result.reason !== "beyond-policy") throw new Error("expected a refusal");
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ position: { file: ".github/slipway.yml", line } });
    expect(result.findings[0]?.message).toMatch(message);
  });

  it("refuses what a narrower rule does not grant, and never names the server's other contexts", () => {
    const result = authorizeText("acme/payments", "environments:\n  - name: prod\n    paths: [a]\n    context: prod\n    namespace: sandbox\n    conflicts: force\n    prune:\n      allow: [Namespace]\nforks: plan\n");
    if (result.ok || result.reason !== "beyond-policy") throw new Error("expected a refusal");
    expect(result.findings.map((finding) => finding.position?.line)).toEqual([9, 4, 6, 8]);
    expect(JSON.stringify(result.findings)).not.toMatch(/staging|prometheus/);
  });

  it("names the default namespace as the default when the repository did not write it", () => {
    const result = authorizeText("acme/payments", "environments:\n  - name: prod\n    paths: [a]\n");
    if (result.ok || result.reason !== "beyond-policy") throw new Error("expected a refusal");
    expect(result.findings[0]?.message).toMatch(/namespace "default" \(the default; set `namespace`/);
  });

  it("brings an unwritten forks default within the rule, and gives a repository no rule matches nothing", () => {
    const strict = parsePolicy("rules:\n  - repositories: [a/b]\n    contexts: [x]\n    namespaces: [ns]\n    forks: ignore\n", "p.yaml");
    if (!strict.ok) throw new Error("policy");
    expect(authorizeText("a/b", "environments:\n  - name: e\n    paths: [a]\n    namespace: ns\n", strict.policy)).toMatchObject({ ok: true, forks: "ignore" });
    expect(authorizeText("c/d", "environments:\n  - name: e\n    paths: [a]\n", strict.policy)).toEqual({ ok: false, reason: "no-rule" });
  });

  it("develops safely without a policy file: the current context, namespaced kinds only, nothing forced", () => {
    const dev = developmentPolicy("kind-local");
    expect(authorizeText("anyone/anything", "environments:\n  - name: e\n    paths: [a]\n", dev)).toMatchObject({ ok: true, environments: [{ environment: { context: "kind-local", clusterScoped: [] } }] });
    const forced = authorizeText("anyone/anything", "environments:\n  - name: e\n    paths: [a]\n    conflicts: force\n    clusterScoped: true\n", dev);
    expect(forced).toMatchObject({ ok: false, reason: "beyond-policy" });
  });
});
