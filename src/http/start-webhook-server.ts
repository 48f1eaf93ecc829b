// The webhook server: Slipway's routes in front of Probot's middleware. The Probot instance and
// the app come from the caller (the composition root, or a test with nock behind it).
import { createNodeMiddleware, type ApplicationFunction, type Probot } from "probot";
import { healthRoutes, alwaysReady, type ReadinessCheck } from "./health-routes.js";
import { startHttpServer, type RunningServer } from "./http-server.js";
import type { Route } from "./route.js";
import { webhookRoute } from "./webhook-route.js";

export interface WebhookServerOptions {
  probot: Probot;
  app: ApplicationFunction;
  webhookPath: string;
  maxBodyBytes: number;
  port: number;
  host: string;
  /** /readyz answers 200 only while this says ready (default: always ready). */
  ready?: ReadinessCheck;
  /** More endpoints, e.g. a later /metrics. */
  routes?: readonly Route[];
}

export async function startWebhookServer(options: WebhookServerOptions): Promise<RunningServer> {
  // Loads the app into `probot`. Probot's own server (probot run) is never built, so neither are
  // its setup and import pages, its static files or its default app.
  const middleware = await createNodeMiddleware(options.app, { probot: options.probot, webhooksPath: options.webhookPath });
  const log = options.probot.log;
  return startHttpServer({
    routes: [
      ...healthRoutes({ ready: options.ready ?? alwaysReady, log }),
      webhookRoute({ path: options.webhookPath, maxBodyBytes: options.maxBodyBytes, middleware }),
      ...(options.routes ?? []),
    ],
    port: options.port,
    host: options.host,
    log,
  });
}
