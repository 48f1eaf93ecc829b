#!/usr/bin/env node
// `npm start`: Slipway's own server in place of `probot run`. Reads and checks the settings (and
// refuses to start without safe ones), builds Probot, loads the app, serves. No logic here.
import { createProbot } from "probot";
import { readWebhookSettings, WebhookSettingsError, type WebhookSettings } from "./config/webhook-settings.js";
import { startWebhookServer } from "./http/start-webhook-server.js";
import { SettingsError } from "./config/server-security.js";
import { createSlipway, readSlipwaySettings, type SlipwaySettings } from "./index.js";

function readSettingsOrExit(): { settings: WebhookSettings; slipway: SlipwaySettings } {
  try {
    return { settings: readWebhookSettings(process.env), slipway: readSlipwaySettings(process.env) };
  } catch (error) {
    if (!(error instanceof WebhookSettingsError) && !(error instanceof SettingsError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const { settings, slipway: slipwaySettings } = readSettingsOrExit();
const probot = createProbot({
  // Probot's variables (LOG_LEVEL, LOG_FORMAT, GHE_HOST, ...) keep working; `probot run` logged at
  // info, and as JSON in production, where createProbot alone would log only warnings, prettily.
  env: { LOG_LEVEL: "info", ...(process.env.NODE_ENV === "production" ? { LOG_FORMAT: "json" } : {}), ...process.env },
  overrides: { appId: settings.appId, privateKey: settings.privateKey, secret: settings.secret, webhookPath: settings.webhookPath },
});
const { webhookPath, maxBodyBytes, port, host } = settings;
const server = await startWebhookServer({ probot, app: createSlipway(slipwaySettings), webhookPath, maxBodyBytes, port, host }).catch((error: unknown) => {
  console.error("Slipway could not start its server:", error);
  process.exit(1);
});
// Probot's log exists once the app is loaded, which starting the server does.
for (const warning of settings.warnings) probot.log.warn(warning);
probot.log.info(`Slipway is listening on ${server.url}, webhooks at ${webhookPath}; policy: ${slipwaySettings.security.policySource}`);

const stop = (signal: NodeJS.Signals) => {
  probot.log.info(`${signal}: stopping`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      probot.log.error({ err: error }, "stopping the server failed");
      process.exit(1);
    },
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
