// POST <webhook path>: the body is read here, within the cap, and only then handed to Probot's
// middleware, which checks the signature with @octokit/webhooks and runs the app's handlers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBodyWithin } from "./read-body.js";
import { replayRequest } from "./replay-request.js";
import { respondError } from "./respond.js";
import type { Route } from "./route.js";

/** Probot's `createNodeMiddleware(...)` result: true when it answered the request. */
export type WebhookMiddleware = (request: IncomingMessage, response: ServerResponse) => boolean | void | Promise<boolean | void>;

export interface WebhookRouteOptions {
  path: string;
  maxBodyBytes: number;
  middleware: WebhookMiddleware;
}

export function webhookRoute(options: WebhookRouteOptions): Route {
  return {
    method: "POST",
    path: options.path,
    async handle(request, response) {
      const reading = await readBodyWithin(request, options.maxBodyBytes);
      if (!reading.fits) {
        // The rest of the body is never read: closing the connection is the only way to stop it.
        respondError(response, 413, `Request body larger than ${options.maxBodyBytes} bytes`, { connection: "close" });
        return;
      }
      const answered = await options.middleware(replayRequest(request, reading.body), response);
      if (!answered && !response.headersSent) respondError(response, 404, `Unknown route: POST ${options.path}`);
    },
  };
}
