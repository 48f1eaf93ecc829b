// Slipway's HTTP server: a node:http server that dispatches to routes by exact path, answers 404
// and 405 itself, and is its own error boundary: a handler that throws gets a 500 (or, if it had
// started answering, a closed connection) and a log line, and the server keeps serving.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { respondError } from "./respond.js";
import type { Route } from "./route.js";

export interface HttpServerLog {
  error(details: object, message: string): void;
}

export interface HttpServerOptions {
  routes: readonly Route[];
  port: number;
  host: string;
  log: HttpServerLog;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:3000, with the port the system chose when asked for port 0. */
  url: string;
  port: number;
  /** Stops accepting connections, closes idle ones, and resolves once in-flight requests are answered. */
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  let closing = false;
  const server = createServer((request, response) => {
    // Once closing, a connection is dropped as soon as its answer is out, not kept alive for the next request.
    response.on("finish", () => {
      if (closing) server.closeIdleConnections();
    });
    dispatch(options.routes, request, response).catch((error: unknown) => {
      options.log.error({ err: error, method: request.method, path: pathOf(request) }, "an HTTP handler failed");
      if (!response.headersSent) respondError(response, 500, "Internal server error", { connection: "close" });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, family, port } = server.address() as AddressInfo;
  const host = family === "IPv6" ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function dispatch(routes: readonly Route[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = pathOf(request);
  const candidates = routes.filter((route) => route.path === path);
  const route = candidates.find((candidate) => candidate.method === request.method);
  if (route) return route.handle(request, response);
  if (candidates.length === 0) return respondError(response, 404, `Not found: ${path}`);
  const allowed = candidates.map((candidate) => candidate.method).join(", ");
  respondError(response, 405, `Method not allowed: ${request.method ?? ""} ${path} (allowed: ${allowed})`, { allow: allowed });
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? "/").split("?")[0] ?? "/";
}
