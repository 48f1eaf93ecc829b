// The webhook server's settings, from its environment, with the rules that make `npm start` refuse
// to run instead of running unsafely. Probot's own `probot run` would serve a setup page that writes
// credentials to .env when APP_ID or PRIVATE_KEY is missing, and accept deliveries signed with the
// well-known secret "development" when WEBHOOK_SECRET is missing (security.md §1.5, T1, T27).
// Messages name the variable and what is required, never its value.
import { createPrivateKey } from "node:crypto";

export interface WebhookSettings {
  appId: number;
  /** PEM text of the GitHub App's private key. */
  privateKey: string;
  secret: string;
  /** SLIPWAY_LOCAL_MODE=1 outside production: a weak or missing WEBHOOK_SECRET is accepted, loudly. */
  localMode: boolean;
  webhookPath: string;
  /** Larger request bodies are refused with 413 before anything reads them. */
  maxBodyBytes: number;
  port: number;
  host: string;
  /** Lines to log once at startup (the local-mode warning). */
  warnings: string[];
}

/** The well-known secret Probot falls back to; anyone can sign deliveries with it. */
export const DEVELOPMENT_SECRET = "development";
/** GitHub's docs ask for "a random string with high entropy"; 20 characters is our floor. */
export const MIN_SECRET_LENGTH = 20;
/** GitHub caps webhook payloads at 25 MB and does not deliver larger events (security.md S30). */
export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";
/** Probot's defaults under `probot run`, kept so an existing deployment listens where it did. */
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = "localhost";

/** Every reason the server refused to start, one line each. */
export class WebhookSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Slipway cannot start:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "WebhookSettingsError";
  }
}

/** Reads and checks the settings; throws a `WebhookSettingsError` listing every problem at once. */
export function readWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const problems: string[] = [];
  const localMode = readLocalMode(env, problems);
  const appId = readAppId(env, problems);
  const privateKey = readPrivateKey(env, problems);
  const secret = readSecret(env, localMode, problems);
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  if (!webhookPath.startsWith("/")) problems.push(`WEBHOOK_PATH must start with "/" (default ${DEFAULT_WEBHOOK_PATH})`);
  const maxBodyBytes = readInteger(env, "SLIPWAY_MAX_BODY_BYTES", { fallback: DEFAULT_MAX_BODY_BYTES, min: 1, max: Number.MAX_SAFE_INTEGER }, problems);
  const port = readInteger(env, "PORT", { fallback: DEFAULT_PORT, min: 0, max: 65_535 }, problems);
  const host = env.HOST || DEFAULT_HOST;
  if (problems.length > 0 || appId === undefined || privateKey === undefined) throw new WebhookSettingsError(problems);
  const warnings = localMode ? [localModeWarning(secret)] : [];
  return { appId, privateKey, secret, localMode, webhookPath, maxBodyBytes, port, host, warnings };
}

function localModeWarning(secret: string): string {
  const strength =
    secret === DEVELOPMENT_SECRET
      ? "the well-known development secret, so anyone who can reach this server can forge deliveries"
      : secret.length < MIN_SECRET_LENGTH
        ? `shorter than ${MIN_SECRET_LENGTH} characters, so deliveries are easy to forge`
        : "not checked for strength";
  return `LOCAL MODE (SLIPWAY_LOCAL_MODE=1): the webhook secret is ${strength}. Never expose this server; anywhere else, unset SLIPWAY_LOCAL_MODE and set WEBHOOK_SECRET to at least ${MIN_SECRET_LENGTH} random characters.`;
}

function readLocalMode(env: NodeJS.ProcessEnv, problems: string[]): boolean {
  const value = env.SLIPWAY_LOCAL_MODE?.trim() ?? "";
  if (!["", "0", "1", "false", "true"].includes(value)) {
    problems.push(`SLIPWAY_LOCAL_MODE must be 1 (on) or 0 (off), not "${value}"`);
    return false;
  }
  const on = value === "1" || value === "true";
  if (on && env.NODE_ENV === "production") {
    problems.push("SLIPWAY_LOCAL_MODE=1 is for a developer's machine and is refused with NODE_ENV=production: unset one of them");
    return false;
  }
  return on;
}

function readAppId(env: NodeJS.ProcessEnv, problems: string[]): number | undefined {
  const value = env.APP_ID?.trim();
  if (!value) {
    problems.push("APP_ID is not set: the numeric App ID from the GitHub App's settings page (register the app from app.yml)");
    return undefined;
  }
  if (!/^[1-9]\d*$/.test(value)) {
    problems.push("APP_ID must be the GitHub App's numeric App ID (not its client ID)");
    return undefined;
  }
  return Number(value);
}

function readPrivateKey(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const value = env.PRIVATE_KEY ?? "";
  if (!value.trim()) {
    const path = env.PRIVATE_KEY_PATH ? " (PRIVATE_KEY_PATH is not read: put the file's contents in PRIVATE_KEY)" : "";
    problems.push(`PRIVATE_KEY is not set: the PEM text of a private key generated on the GitHub App's settings page${path}`);
    return undefined;
  }
  const pem = unwrapPem(value);
  try {
    createPrivateKey(pem);
  } catch {
    // The cause is left out: it is OpenSSL's view of the key, and the key stays out of every message.
    problems.push('PRIVATE_KEY is not a PEM private key: it must hold the whole .pem file GitHub generated, from "-----BEGIN" to "-----END"');
    return undefined;
  }
  return pem;
}

/** Accepts the PEM as GitHub hands it out, on one line with literal "\n"s (.env files), or base64-encoded, as Probot did. */
function unwrapPem(value: string): string {
  const text = value.includes("-----BEGIN") ? value : Buffer.from(value.trim(), "base64").toString("utf8");
  return text.replace(/\\n/g, "\n");
}

function readSecret(env: NodeJS.ProcessEnv, localMode: boolean, problems: string[]): string {
  const secret = env.WEBHOOK_SECRET ?? "";
  const required = `the GitHub App's webhook secret, at least ${MIN_SECRET_LENGTH} random characters (e.g. \`openssl rand -hex 32\`)`;
  const local = env.NODE_ENV === "production" ? "" : "; on a developer's machine, SLIPWAY_LOCAL_MODE=1 accepts a weak one";
  if (localMode) return secret || DEVELOPMENT_SECRET;
  if (!secret) problems.push(`WEBHOOK_SECRET is not set: it must be ${required}${local}`);
  else if (secret === DEVELOPMENT_SECRET) problems.push(`WEBHOOK_SECRET is Probot's well-known development secret: it must be ${required}${local}`);
  else if (secret.length < MIN_SECRET_LENGTH) problems.push(`WEBHOOK_SECRET is shorter than ${MIN_SECRET_LENGTH} characters: it must be ${required}${local}`);
  return secret;
}

interface IntegerRule {
  fallback: number;
  min: number;
  max: number;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, rule: IntegerRule, problems: string[]): number {
  const value = env[name]?.trim();
  if (!value) return rule.fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= rule.min && number <= rule.max)) {
    problems.push(`${name} must be a whole number from ${rule.min} to ${rule.max}, not "${value}"`);
    return rule.fallback;
  }
  return number;
}
