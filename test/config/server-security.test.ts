import { describe, expect, it } from "vitest";
import { readSecuritySettings, SettingsError } from "../../src/config/server-security.js";
import { developmentConfigHashKey } from "../../src/config/server-security.js";

const validPolicy = "rules:\n  - repositories: [acme/*]\n    contexts: [prod]\n    namespaces: [web]\n";
const files: Record<string, string> = { "/etc/slipway/policy.yaml": validPolicy, "/etc/slipway/bad.yaml": "rules:\n  - repositories: [acme/*]\n    contexts: prod\n", "/run/key": "k".repeat(40) + "\n" };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
  return text;
};
const read = (env: NodeJS.ProcessEnv) => readSecuritySettings({ env, currentContext: () => "kind-dev", readFile });

describe("readSecuritySettings", () => {
  it("without a policy file in development: the safe default for the current context, and the public key", () => {
    const settings = read({});
    expect(settings.policy.rules).toEqual([expect.objectContaining({ contexts: ["kind-dev"], clusterScopedKinds: [], conflictsForce: false, adopt: false })]);
    expect(settings.configHashKey).toBe(developmentConfigHashKey);
  });

  it("without a policy file, takes the current context's Prometheus from SLIPWAY_PROMETHEUS_URL", () => {
    const settings = read({ SLIPWAY_PROMETHEUS_URL: "http://localhost:9090" });
    expect(settings.policy.contexts).toEqual({ "kind-dev": { prometheus: "http://localhost:9090", scrapeInterval: 30_000 } });
    expect(settings.policySource).toContain("SLIPWAY_PROMETHEUS_URL");
  });

  it("reads the policy and the key from files", () => {
    const settings = read({ SLIPWAY_POLICY: "/etc/slipway/policy.yaml", SLIPWAY_CONFIG_HASH_KEY_FILE: "/run/key", NODE_ENV: "production" });
    expect(settings.policy.rules[0]?.repositories).toEqual(["acme/*"]);
    expect(settings.configHashKey).toBe("k".repeat(40));
  });

  it.each([
    ["no policy in production", { NODE_ENV: "production", SLIPWAY_CONFIG_HASH_KEY: "x".repeat(40) }, /SLIPWAY_POLICY must name/],
    ["an invalid policy, with its line", { SLIPWAY_POLICY: "/etc/slipway/bad.yaml" }, /bad\.yaml:3: rules\.0\.contexts/],
    ["a policy file that cannot be read", { SLIPWAY_POLICY: "/nope.yaml" }, /cannot be read/],
    ["no config hash key in production", { NODE_ENV: "production", SLIPWAY_POLICY: "/etc/slipway/policy.yaml" }, /SLIPWAY_CONFIG_HASH_KEY .*must be set in production/],
    ["a short key in production", { NODE_ENV: "production", SLIPWAY_POLICY: "/etc/slipway/policy.yaml", SLIPWAY_CONFIG_HASH_KEY: "hunter2hunter2" }, /at least 32 characters/],
    ["SLIPWAY_PROMETHEUS_URL beside a policy file", { SLIPWAY_POLICY: "/etc/slipway/policy.yaml", SLIPWAY_PROMETHEUS_URL: "http://p:9090" }, /contexts\.<context>\.prometheus in the policy/],
    ["a SLIPWAY_PROMETHEUS_URL that is not http(s)", { SLIPWAY_PROMETHEUS_URL: "file:///etc/passwd" }, /SLIPWAY_PROMETHEUS_URL must be an http/],
  ])("refuses to start with %s, saying why", (_what, env, message) => {
    expect(() => read(env)).toThrow(SettingsError);
    expect(() => read(env)).toThrow(message);
  });

  it("never quotes the Prometheus URL, which may hold a password, in an error", () => {
    expect(() => read({ SLIPWAY_PROMETHEUS_URL: "ftp://user:hunter2@p" })).not.toThrow(/hunter2/);
  });

  it("never quotes the key in an error", () => {
    expect(() => read({ NODE_ENV: "production", SLIPWAY_POLICY: "/etc/slipway/policy.yaml", SLIPWAY_CONFIG_HASH_KEY: "hunter2hunter2" })).not.toThrow(/hunter2/);
  });
});
