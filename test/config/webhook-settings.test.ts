import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readWebhookSettings, WebhookSettingsError } from "../../src/config/webhook-settings.js";

const privateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const secret = "a-long-random-webhook-secret-0123456789";
const valid = { APP_ID: "12345", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret };

/** The problems readWebhookSettings refused `env` for. */
function refusal(env: NodeJS.ProcessEnv): string[] {
  try {
    readWebhookSettings(env);
  } catch (error) {
    if (error instanceof WebhookSettingsError) return [...error.problems];
    throw error;
  }
  throw new Error("readWebhookSettings accepted the environment");
}

describe("readWebhookSettings", () => {
  it("reads a complete environment, with Probot's port and host and GitHub's payload cap by default", () => {
    expect(readWebhookSettings(valid)).toEqual({
      appId: 12345,
      privateKey,
      secret,
      localMode: false,
      webhookPath: "/api/github/webhooks",
      maxBodyBytes: 25 * 1024 * 1024,
      port: 3000,
      host: "localhost",
      warnings: [],
    });
  });

  it("takes PORT, HOST, WEBHOOK_PATH and SLIPWAY_MAX_BODY_BYTES", () => {
    const settings = readWebhookSettings({ ...valid, PORT: "8080", HOST: "0.0.0.0", WEBHOOK_PATH: "/hooks", SLIPWAY_MAX_BODY_BYTES: "1048576" });
    expect(settings).toMatchObject({ port: 8080, host: "0.0.0.0", webhookPath: "/hooks", maxBodyBytes: 1_048_576 });
  });

  it("accepts the key on one line with literal \\n, as .env files hold it, and base64-encoded", () => {
    expect(readWebhookSettings({ ...valid, PRIVATE_KEY: privateKey.replace(/\n/g, "\\n") }).privateKey).toBe(privateKey);
    expect(readWebhookSettings({ ...valid, PRIVATE_KEY: Buffer.from(privateKey).toString("base64") }).privateKey).toBe(privateKey);
  });

  describe("refuses to start", () => {
    it.each([
      ["APP_ID is missing", { APP_ID: undefined }, /^APP_ID is not set: the numeric App ID/],
      ["APP_ID is not a number", { APP_ID: "Iv1.abcdef" }, /^APP_ID must be the GitHub App's numeric App ID/],
      ["PRIVATE_KEY is missing", { PRIVATE_KEY: undefined }, /^PRIVATE_KEY is not set: the PEM text/],
      ["only PRIVATE_KEY_PATH is set", { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "key.pem" }, /PRIVATE_KEY_PATH is not read: put the file's contents in PRIVATE_KEY/],
      ["PRIVATE_KEY is not a key", { PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----" }, /^PRIVATE_KEY is not a PEM private key/],
      ["WEBHOOK_SECRET is missing", { WEBHOOK_SECRET: undefined }, /^WEBHOOK_SECRET is not set: it must be .* at least 20 random characters/],
      ["WEBHOOK_SECRET is empty", { WEBHOOK_SECRET: "" }, /^WEBHOOK_SECRET is not set/],
      ["WEBHOOK_SECRET is Probot's development secret", { WEBHOOK_SECRET: "development" }, /^WEBHOOK_SECRET is Probot's well-known development secret: it must be .* at least 20/],
      ["WEBHOOK_SECRET is short", { WEBHOOK_SECRET: "s3cret-19-chars-xyz" }, /^WEBHOOK_SECRET is shorter than 20 characters: it must be/],
      ["SLIPWAY_LOCAL_MODE is neither on nor off", { SLIPWAY_LOCAL_MODE: "yes" }, /^SLIPWAY_LOCAL_MODE must be 1 \(on\) or 0 \(off\), not "yes"/],
      ["local mode is asked for in production", { NODE_ENV: "production", SLIPWAY_LOCAL_MODE: "1" }, /^SLIPWAY_LOCAL_MODE=1 is for a developer's machine and is refused with NODE_ENV=production/],
      ["PORT is not a port", { PORT: "http" }, /^PORT must be a whole number from 0 to 65535, not "http"/],
      ["PORT is out of range", { PORT: "65536" }, /^PORT must be a whole number from 0 to 65535/],
      ["the body cap is zero", { SLIPWAY_MAX_BODY_BYTES: "0" }, /^SLIPWAY_MAX_BODY_BYTES must be a whole number from 1/],
      ["the body cap has a unit", { SLIPWAY_MAX_BODY_BYTES: "25MB" }, /^SLIPWAY_MAX_BODY_BYTES must be a whole number/],
      ["WEBHOOK_PATH is relative", { WEBHOOK_PATH: "api/github/webhooks" }, /^WEBHOOK_PATH must start with "\/"/],
    ])("when %s", (_name, change, message) => {
      expect(refusal({ ...valid, ...change })).toEqual([expect.stringMatching(message)]);
    });

    it("with every problem listed at once, so one restart fixes them all", () => {
      const problems = refusal({});
      expect(problems.map((problem) => problem.split(" ")[0])).toEqual(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]);
      expect(() => readWebhookSettings({})).toThrow(/^Slipway cannot start:\n {2}- APP_ID is not set/);
    });

    it("without credentials even in local mode: there is no setup page to fall back to", () => {
      expect(refusal({ SLIPWAY_LOCAL_MODE: "1" }).map((problem) => problem.split(" ")[0])).toEqual(["APP_ID", "PRIVATE_KEY"]);
    });

    it("with a weak secret in production, where local mode cannot help", () => {
      const [problem] = refusal({ ...valid, NODE_ENV: "production", WEBHOOK_SECRET: "development" });
      expect(problem).toMatch(/well-known development secret/);
      expect(problem).not.toMatch(/SLIPWAY_LOCAL_MODE/);
    });

    it("and points a developer outside production at local mode", () => {
      expect(refusal({ ...valid, WEBHOOK_SECRET: undefined })[0]).toMatch(/on a developer's machine, SLIPWAY_LOCAL_MODE=1 accepts a weak one/);
    });
  });

  describe("in local mode (SLIPWAY_LOCAL_MODE=1, NODE_ENV not production)", () => {
    it.each(["1", "true"])("accepts a missing secret as Probot's development secret, with one loud warning (%s)", (on) => {
      const settings = readWebhookSettings({ ...valid, WEBHOOK_SECRET: undefined, SLIPWAY_LOCAL_MODE: on });
      expect(settings).toMatchObject({ localMode: true, secret: "development" });
      expect(settings.warnings).toEqual([expect.stringMatching(/^LOCAL MODE \(SLIPWAY_LOCAL_MODE=1\): the webhook secret is the well-known development secret.*Never expose this server/)]);
    });

    it("accepts a short secret, and says so", () => {
      const settings = readWebhookSettings({ ...valid, WEBHOOK_SECRET: "short", SLIPWAY_LOCAL_MODE: "1", NODE_ENV: "development" });
      expect(settings.secret).toBe("short");
      expect(settings.warnings).toEqual([expect.stringMatching(/shorter than 20 characters/)]);
    });

    it("is off for 0, false or unset", () => {
      for (const off of ["0", "false", "", undefined]) {
        expect(readWebhookSettings({ ...valid, SLIPWAY_LOCAL_MODE: off })).toMatchObject({ localMode: false, warnings: [] });
      }
    });
  });

  it("never puts the secret or the key in a message", () => {
    const weakSecret = "weak-secret-value";
    const brokenKey = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----";
    const environments: NodeJS.ProcessEnv[] = [
      { ...valid, WEBHOOK_SECRET: weakSecret },
      { ...valid, WEBHOOK_SECRET: weakSecret, NODE_ENV: "production", SLIPWAY_LOCAL_MODE: "1" },
      { ...valid, PRIVATE_KEY: brokenKey },
      { ...valid, PRIVATE_KEY: "c2VjcmV0LWtleS1tYXRlcmlhbA==" },
      { ...valid, APP_ID: "x", PORT: "-1", SLIPWAY_LOCAL_MODE: "maybe", NODE_ENV: "production" },
    ];
    const secrets = [weakSecret, secret, brokenKey, "c2VjcmV0LWtleS1tYXRlcmlhbA", "secret-key-material", privateKey, ...privateKey.split("\n").slice(1, -2)];
    for (const env of environments) {
      let message = "";
      try {
        readWebhookSettings(env);
      } catch (error) {
        message = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""}`;
      }
      expect(message).toMatch(/Slipway cannot start/);
      for (const value of secrets) expect(message).not.toContain(value);
    }
  });
});
