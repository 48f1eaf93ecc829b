// Server policies for tests of the app: one rule for every repository, on the test cluster's
// context, granting what a test says (by default what a trusting single-team server would).
import type { Policy, PolicyRule } from "../../src/config/policy.js";

export const testConfigHashKey = "test-config-hash-key-0123456789abcdef";

export function testPolicy(rule: Partial<PolicyRule> = {}): Policy {
  return {
    rules: [
      {
        repositories: ["*/*"],
        contexts: ["slipway-test"],
        namespaces: ["*"],
        clusterScopedKinds: [],
        conflictsForce: true,
        pruneAllow: [],
        adopt: true,
        forks: "plan",
        ...rule,
      },
    ],
    contexts: {},
  };
}
