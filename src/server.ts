#!/usr/bin/env node
// `npm start`: Slipway's own server in place of `probot run`. Reads and checks the settings (and
// refuses to start without safe ones), builds Probot, loads the app, serves; on SIGTERM stops
// taking work and lets running work finish within a deadline. No logic here.
import { createProbot, ProbotOctokit } from "probot";
import { SettingsError } from "./config/server-security.js";
import { readWebhookSettings, WebhookSettingsError, type WebhookSettings } from "./config/webhook-settings.js";
import { startWebhookServer } from "./http/start-webhook-server.js";
import { withWritePacing } from "./github/octokit.js";
import { createWritePacing } from "./github/write-pacing.js";
import { createRuntime, createSlipway, readSlipwaySettings, type SlipwaySettings } from "./index.js";
import { metricsRoute } from "./observability/metrics-route.js";
import { countGitHubRequests } from "./observability/octokit-plugin.js";
import { readinessCheck } from "./observability/readiness.js";

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
const runtime = createRuntime();
const probot = createProbot({
  // Probot's variables (LOG_LEVEL, LOG_FORMAT, GHE_HOST, ...) keep working; `probot run` logged at
  // info, and as JSON in production, where createProbot alone would log only warnings, prettily.
  env: { LOG_LEVEL: "info", ...(process.env.NODE_ENV === "production" ? { LOG_FORMAT: "json" } : {}), ...process.env },
  overrides: {
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.secret,
    webhookPath: settings.webhookPath,
    Octokit: ProbotOctokit.plugin(countGitHubRequests(runtime.metrics.observer)).defaults(withWritePacing(createWritePacing())),
  },
});
const contexts = [...new Set(slipwaySettings.security.policy.rules.flatMap((rule) => rule.contexts))];
const { webhookPath, maxBodyBytes, port, host } = settings;
const server = await startWebhookServer({
  probot,
  app: createSlipway(slipwaySettings, runtime),
  webhookPath,
  maxBodyBytes,
  port,
  host,
  ready: readinessCheck({ clusters: runtime.clusters, contexts, github: async () => void (await (await probot.auth()).rest.apps.getAuthenticated()) }),
  routes: [metricsRoute(runtime.metrics.registry)],
}).catch((error: unknown) => {
  console.error("Slipway could not start its server:", error);
  process.exit(1);
});
// Probot's log exists once the app is loaded, which starting the server does.
for (const warning of settings.warnings) probot.log.warn(warning);
probot.log.info(`Slipway is listening on ${server.url}, webhooks at ${webhookPath}; policy: ${slipwaySettings.security.policySource}`);

const stop = (signal: NodeJS.Signals) => {
  probot.log.info(`${signal}: taking no new work; running work has ${slipwaySettings.server.shutdownDeadlineMs / 1000} s to finish`);
  void (async () => {
    try {
      await server.close();
      const { dropped, aborted } = await runtime.queue.shutdown({ deadlineMs: slipwaySettings.server.shutdownDeadlineMs });
      probot.log.info(`stopped: ${dropped} waiting jobs left to the next start's reconcile, ${aborted} running jobs interrupted`);
      runtime.clusters.close();
      process.exit(0);
    } catch (error) {
      probot.log.error({ err: error }, "stopping failed");
      process.exit(1);
    }
  })();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
