import { describe, expect, it } from "vitest";
import { diffConfigs } from "../../src/config/config-change.js";
import { parseRepoConfig } from "../../src/config/load.js";
import { renderConfigChange } from "../../src/render/config-change.js";

const parse = (text: string) => {
  const parsed = parseRepoConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  return parsed.config;
};

const before = parse("environments:\n  - name: staging\n    paths: [deploy/**]\n    namespace: web\n  - name: old\n    paths: [old/**]\n");
const after = parse(
  "environments:\n  - name: staging\n    paths: [deploy/**]\n    namespace: web\n    conflicts: force\n    prune:\n      allow: [Namespace]\n  - name: prod\n    paths: [prod/**]\n    context: prod\n    namespace: web\n    clusterScoped: [Namespace]\nforks: plan\n",
);

describe("diffConfigs", () => {
  it("lists environments added, changed and removed, and repository settings, as a reviewer reads them", () => {
    const change = diffConfigs(before, after);
    expect(change.settings).toEqual([{ setting: "forks", before: "validate", after: "plan" }]);
    expect(change.environments.map((environment) => `${environment.kind} ${environment.name}`)).toEqual(["changed staging", "added prod", "removed old"]);
    expect(change.environments[0]).toEqual({
      kind: "changed",
      name: "staging",
      settings: [
        { setting: "conflicts", before: "fail", after: "force" },
        { setting: "prune.allow", before: "[]", after: '["Namespace"]' },
      ],
    });
    expect(change.environments[1]).toMatchObject({ kind: "added", settings: expect.arrayContaining([{ setting: "clusterScoped", before: "(not set)", after: '["Namespace"]' }]) });
  });

  it("finds nothing when only formatting changed", () => {
    expect(diffConfigs(before, parse("environments:\n  - {name: staging, paths: ['deploy/**'], namespace: web}\n  - {name: old, paths: ['old/**']}\n"))).toEqual({ environments: [], settings: [] });
  });
});

describe("renderConfigChange", () => {
  it("says what the change grants and that the policy would refuse it", () => {
    const text = renderConfigChange({
      change: diffConfigs(before, after),
      beyondPolicy: [{ severity: "error", code: "config", message: "environment staging: conflicts: force is not granted", position: { file: ".github/slipway.yml", line: 5 } }],
    });
    expect(text).toContain("- `forks` `validate` → `plan`");
    expect(text).toContain("- ✏️ environment **staging**: `conflicts` `fail` → `force`; `prune.allow` `[]` → `[\"Namespace\"]`");
    expect(text).toContain("- ➖ environment **old** removed");
    expect(text).toContain("> **The server's policy would refuse it**");
    expect(text).toContain("> - line 5: environment staging: conflicts: force is not granted");
  });
});
