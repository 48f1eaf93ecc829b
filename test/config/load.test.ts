import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJsonSchema, renderPolicyJsonSchema } from "../../src/config/json-schema.js";
import { parseRepoConfig } from "../../src/config/load.js";
import { environmentMatcher, sourceOf } from "../../src/config/source.js";

describe("parseRepoConfig", () => {
  it("fills every default", () => {
    const result = parseRepoConfig("environments:\n  - name: production\n    paths: ['deploy/**/*.yaml']\n");
    expect(result.ok && result.config).toEqual(
      {
        forks: "validate",
        environments: [
          {
            name: "production",
            paths: ["deploy/**/*.yaml"],
            exclude: [],
            namespace: "default",
            clusterScoped: false,
            adopt: false,
            conflicts: "fail",
            prune: { allow: [], maxFraction: 0.5 },
            readinessTimeoutSeconds: 300,
            drift: "off",
            canary: [],
          },
        ],
      },
    );
  });

  it.each([
    {
      what: "broken YAML, with its line",
      text: "environments:\n  - name: prod\n    paths: [a\n",
      line: 4,
      message: /invalid YAML/,
    },
    {
      what: "an unknown key, on its line",
      text: "environments:\n  - name: prod\n    paths: [a]\n    namespce: apps\n",
      line: 2,
      message: /environments\.0: Unrecognized key.*namespce/,
    },
    {
      what: "a wrong enum value, on its line",
      text: "environments:\n  - name: prod\n    paths: [a]\n    conflicts: maybe\n",
      line: 4,
      message: /environments\.0\.conflicts/,
    },
    { what: "no environments", text: "forks: plan\n", line: 1, message: /environments/ },
    {
      what: "duplicate environment names",
      text: "environments:\n  - name: prod\n    paths: [a]\n  - name: prod\n    paths: [b]\n",
      line: 4,
      message: /defined twice/,
    },
    {
      what: "two environment names that differ only in case, which would share an inventory and a Lease",
      text: "environments:\n  - name: Prod\n    paths: [a]\n  - name: prod\n    paths: [b]\n",
      line: 4,
      message: /environments\.1\.name: environments "Prod" and "prod" would share one inventory and one Lease \(slipway-inventory-prod\)/,
    },
    {
      what: "an underscore in an environment name, which no Lease name may hold",
      text: "environments:\n  - name: prod_eu\n    paths: [a]\n",
      line: 2,
      message: /environments\.0\.name: use letters, digits, '-' and '\.'/,
    },
    {
      what: "an environment name longer than a label value may be",
      text: `environments:\n  - name: ${"a".repeat(64)}\n    paths: [a]\n`,
      line: 2,
      message: /environments\.0\.name/,
    },
    {
      what: "an environment name with a '-' next to a '.'",
      text: "environments:\n  - name: eu-.prod\n    paths: [a]\n",
      line: 2,
      message: /environments\.0\.name/,
    },
    {
      what: "a default namespace outside allowedNamespaces",
      text: "environments:\n  - name: prod\n    paths: [a]\n    namespace: x\n    allowedNamespaces: [apps]\n",
      line: 4,
      message: /not in allowedNamespaces/,
    },
    {
      what: "an environment with no source",
      text: "environments:\n  - name: prod\n    namespace: web\n",
      line: 2,
      message: /environments\.0: give the environment's manifests: paths \(plain files\), kustomize \(a kustomization root\) or helm \(a chart\)/,
    },
    {
      what: "two sources, on the second",
      text: "environments:\n  - name: prod\n    paths: [a]\n    kustomize: overlays/prod\n",
      line: 4,
      message: /environments\.0\.kustomize: give one of paths, kustomize and helm, not paths and kustomize/,
    },
    {
      what: "a kustomization root outside the repository",
      text: "environments:\n  - name: prod\n    kustomize: ../other-repo/overlays/prod\n",
      line: 3,
      message: /environments\.0\.kustomize: a path inside the repository/,
    },
    {
      what: "an absolute values file",
      text: "environments:\n  - name: prod\n    helm:\n      chart: charts/web\n      values: [/etc/passwd]\n",
      line: 5,
      message: /environments\.0\.helm\.values\.0: a path inside the repository/,
    },
    {
      what: "a release name Helm refuses",
      text: "environments:\n  - name: prod\n    helm:\n      chart: charts/web\n      releaseName: Web_App\n",
      line: 5,
      message: /environments\.0\.helm\.releaseName: a Helm release name/,
    },
    {
      what: "duplicate keys",
      text: "environments:\n  - name: prod\n    name: again\n    paths: [a]\n",
      line: 3,
      message: /invalid YAML/,
    },
  ])("reports $what", ({ text, line, message }) => {
    const result = parseRepoConfig(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.findings[0]?.position).toMatchObject({ file: ".github/slipway.yml", line });
    expect(result.findings[0]?.message).toMatch(message);
  });

  it.each(["production", "Production", "eu.prod-1", "1", "a".repeat(63)])("accepts the environment name %s, valid in a Lease name and a label value", (name) => {
    const result = parseRepoConfig(`environments:\n  - name: "${name}"\n    paths: [a]\n  - name: staging\n    paths: [b]\n`);
    expect(result.ok).toBe(true);
  });

  it("takes a kustomize or helm source, and fills the chart's release name and namespace from the environment", () => {
    const result = parseRepoConfig(
      "environments:\n  - name: Prod\n    kustomize: overlays/prod/\n  - name: staging\n    namespace: web\n    helm:\n      chart: charts/web\n      values: [charts/web/values-staging.yaml]\n",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [prod, staging] = result.config.environments;
    expect(prod?.kustomize).toBe("overlays/prod");
    expect(sourceOf(prod!)).toEqual({ kind: "kustomize", path: "overlays/prod" });
    expect(sourceOf(staging!)).toEqual({ kind: "helm", chart: "charts/web", values: ["charts/web/values-staging.yaml"], releaseName: "staging", namespace: "web" });
    // A rendered source reads every file the renderer might, minus exclude.
    expect(environmentMatcher({ ...prod!, exclude: ["docs/**"] })("base/deployment.yaml")).toBe(true);
    expect(environmentMatcher({ ...prod!, exclude: ["docs/**"] })("docs/big.png")).toBe(false);
  });

  it("treats an empty file as a configuration without environments", () => {
    const result = parseRepoConfig("");
    expect(result.ok).toBe(false);
  });
});

describe("the JSON schema", () => {
  it("is up to date with the zod schema (run `npm run schema` after changing it)", () => {
    const committed = readFileSync(new URL("../../schema/slipway.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(renderJsonSchema());
  });

  it("asks editors for exactly one source per environment, as the loader does", async () => {
    // The 2020-12 dialect zod writes; its $schema is not needed to validate.
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(renderJsonSchema()) as object);
    const config = (environment: Record<string, unknown>) => ({ environments: [{ name: "prod", ...environment }] });
    expect(validate(config({ paths: ["a/**"] }))).toBe(true);
    expect(validate(config({ kustomize: "overlays/prod" }))).toBe(true);
    expect(validate(config({ helm: { chart: "charts/web" } }))).toBe(true);
    expect(validate(config({}))).toBe(false);
    expect(validate(config({ paths: ["a/**"], kustomize: "overlays/prod" }))).toBe(false);
  });

  it("of the server's policy is up to date too", () => {
    const committed = readFileSync(new URL("../../schema/slipway-policy.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(renderPolicyJsonSchema());
  });
});
