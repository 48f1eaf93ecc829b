// The server's security settings, from its environment: the policy that bounds every repository
// and the key of config hashes. Both are refused at startup when missing in production or
// invalid, saying what and where; neither is ever taken from a repository.
import { readFileSync } from "node:fs";
import { developmentPolicy, parsePolicy, prometheusUrl, type Policy } from "./policy.js";

export interface SecuritySettings {
  policy: Policy;
  /** Where the policy came from, for the startup log: a file, or the development default. */
  policySource: string;
  configHashKey: string;
}

/**
 * The key of a server started without SLIPWAY_CONFIG_HASH_KEY outside production, and of the
 * command line without it: public, so it protects nothing.
 */
export const developmentConfigHashKey = "slipway-development-config-hash-key-not-secret";

/** Config hash keys shorter than this are refused in production: they would be guessable. */
const minimumKeyLength = 32;

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

export function readSecuritySettings(params: {
  env: NodeJS.ProcessEnv;
  /** The kubeconfig's current context, for the development policy (read only when needed). */
  currentContext: () => string;
  readFile?: (path: string) => string;
}): SecuritySettings {
  const { env } = params;
  const readFile = params.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const production = env.NODE_ENV === "production";
  return { ...readPolicy({ env, production, readFile, currentContext: params.currentContext }), configHashKey: readConfigHashKey({ env, production, readFile }) };
}

/** The config hash key alone, for the command line: the server's when it is in the environment. */
export function readCommandLineHashKey(env: NodeJS.ProcessEnv): string {
  return readConfigHashKey({ env, production: false, readFile: (path) => readFileSync(path, "utf8") });
}

function readPolicy(params: { env: NodeJS.ProcessEnv; production: boolean; readFile: (path: string) => string; currentContext: () => string }): Pick<SecuritySettings, "policy" | "policySource"> {
  const path = params.env.SLIPWAY_POLICY?.trim();
  if (!path) {
    if (params.production) {
      throw new SettingsError("SLIPWAY_POLICY must name the server's policy file in production: without it every repository the app is installed on would get the development default.");
    }
    const prometheus = readDevelopmentPrometheus(params.env);
    const source = `the development default (no SLIPWAY_POLICY${prometheus ? ", Prometheus from SLIPWAY_PROMETHEUS_URL" : ""})`;
    return { policy: developmentPolicy(params.currentContext(), prometheus ? { prometheus } : {}), policySource: source };
  }
  if (params.env.SLIPWAY_PROMETHEUS_URL?.trim()) {
    throw new SettingsError("SLIPWAY_PROMETHEUS_URL is only read without a policy file: with SLIPWAY_POLICY, give each context's Prometheus as contexts.<context>.prometheus in the policy, and unset SLIPWAY_PROMETHEUS_URL.");
  }
  let text: string;
  try {
    text = params.readFile(path);
  } catch (error) {
    throw new SettingsError(`SLIPWAY_POLICY names ${path}, which cannot be read: ${(error as Error).message}`);
  }
  const parsed = parsePolicy(text, path);
  if (!parsed.ok) {
    const problems = parsed.findings.map((finding) => `  ${finding.position?.file ?? path}:${finding.position?.line ?? 1}: ${finding.message}`);
    throw new SettingsError(`the policy file is invalid:\n${problems.join("\n")}`);
  }
  return { policy: parsed.policy, policySource: path };
}

/** SLIPWAY_PROMETHEUS_URL, for the development policy: an http(s) URL, or nothing. */
function readDevelopmentPrometheus(env: NodeJS.ProcessEnv): string | undefined {
  const text = env.SLIPWAY_PROMETHEUS_URL?.trim();
  if (!text) return undefined;
  // The message never quotes the URL: it may hold a password.
  if (!prometheusUrl.safeParse(text).success) throw new SettingsError("SLIPWAY_PROMETHEUS_URL must be an http:// or https:// URL, such as http://localhost:9090.");
  return text;
}

function readConfigHashKey(params: { env: NodeJS.ProcessEnv; production: boolean; readFile: (path: string) => string }): string {
  const file = params.env.SLIPWAY_CONFIG_HASH_KEY_FILE?.trim();
  let key = params.env.SLIPWAY_CONFIG_HASH_KEY;
  if (file) {
    try {
      key = params.readFile(file).trim();
    } catch (error) {
      throw new SettingsError(`SLIPWAY_CONFIG_HASH_KEY_FILE names ${file}, which cannot be read: ${(error as Error).message}`);
    }
  }
  if (!key) {
    if (params.production) throw new SettingsError(`SLIPWAY_CONFIG_HASH_KEY (or SLIPWAY_CONFIG_HASH_KEY_FILE) must be set in production: at least ${minimumKeyLength} random characters, the same for every replica.`);
    return developmentConfigHashKey;
  }
  // The message never quotes the key.
  if (params.production && key.length < minimumKeyLength) throw new SettingsError(`the config hash key must be at least ${minimumKeyLength} characters in production.`);
  return key;
}
