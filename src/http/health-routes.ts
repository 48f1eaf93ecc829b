// GET /healthz: the process is up and serving. GET /readyz: it can do its work, as an injected
// check judges (a later change checks the cluster and GitHub); Kubernetes stops routing webhooks
// to a copy that is not ready, and restarts one that is not healthy.
import { respondText } from "./respond.js";
import type { Route } from "./route.js";

export type Readiness = { ready: true } | { ready: false; reason: string };
export type ReadinessCheck = () => Promise<Readiness>;

export const alwaysReady: ReadinessCheck = () => Promise.resolve({ ready: true });

export interface HealthLog {
  warn(details: object, message: string): void;
}

export function healthRoutes(options: { ready: ReadinessCheck; log: HealthLog }): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      handle: (_request, response) => {
        respondText(response, 200, "ok");
        return Promise.resolve();
      },
    },
    {
      method: "GET",
      path: "/readyz",
      async handle(_request, response) {
        const readiness = await options.ready().catch((error: unknown): Readiness => {
          // The reason goes to the log, not to whoever asked: probes need only the status.
          options.log.warn({ err: error }, "the readiness check failed");
          return { ready: false, reason: "the readiness check failed" };
        });
        if (readiness.ready) respondText(response, 200, "ready");
        else respondText(response, 503, `not ready: ${readiness.reason}`);
      },
    },
  ];
}
