// GET /metrics: the registry in Prometheus's text format.
import type { Registry } from "prom-client";
import type { Route } from "../http/route.js";

export function metricsRoute(registry: Registry): Route {
  return {
    method: "GET",
    path: "/metrics",
    async handle(_request, response) {
      const body = await registry.metrics();
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(body);
    },
  };
}
