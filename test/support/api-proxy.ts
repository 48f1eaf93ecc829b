// A plain-HTTP proxy in front of the test cluster's API server, for what lies between Slipway and
// a real API server: an older server's discovery (the aggregated media type taken out of the
// Accept header, so the real server answers with its legacy lists), or a read that never gets an
// answer. Everything else goes to the real API server and back untouched. Each request's arrival
// and answer are timed, for bench:app's account of where a plan's time goes.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { request } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { KubeConfig } from "../../src/kube/kubeconfig.js";

export interface ProxiedRequest {
  method: string;
  path: string;
  accept: string;
  /** The API server's answer, once it came. */
  status?: number;
  /** performance.now() when the request arrived, and when the answer was sent back in full. */
  arrivedMs: number;
  answeredMs?: number;
}

export interface ApiProxy {
  /** The proxy's address (plain HTTP), for kubeconfigs of a test's own. */
  server: string;
  /** The test cluster admin's bearer token. */
  token: string;
  /** A kubeconfig that reaches the API server through the proxy, as the test cluster's admin. */
  kubeConfig: () => KubeConfig;
  /** Every request the proxy saw, in order. */
  seen: ProxiedRequest[];
  close: () => Promise<void>;
}

export interface ProxyRules {
  /** Headers to send instead of the request's own (return them changed). */
  headers?: (req: ProxiedRequest, headers: IncomingMessage["headers"]) => IncomingMessage["headers"];
  /** True: hold the request open and never answer it, as a stuck connection does. */
  stall?: (req: ProxiedRequest) => boolean;
}

export async function startApiProxy(params: { kubeconfigPath: string; rules: ProxyRules }): Promise<ApiProxy> {
  const admin = new KubeConfig();
  admin.loadFromFile(params.kubeconfigPath);
  const cluster = admin.getCurrentCluster();
  const token = admin.getCurrentUser()?.token;
  if (!cluster || !token) throw new Error("the test kubeconfig names no cluster or token");
  const target = new URL(cluster.server);
  const ca = cluster.caData ? Buffer.from(cluster.caData, "base64") : readFileSync(cluster.caFile ?? "");
  const seen: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const described: ProxiedRequest = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0] ?? "/", accept: String(req.headers.accept ?? ""), arrivedMs: performance.now() };
    res.once("finish", () => (described.answeredMs = performance.now()));
    seen.push(described);
    if (params.rules.stall?.(described)) return;
    const headers = params.rules.headers?.(described, { ...req.headers }) ?? { ...req.headers };
    headers.host = target.host;
    const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers, ca }, (answer) => {
      described.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", (error) => res.destroy(error));
    req.pipe(upstream);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    server: `http://127.0.0.1:${port}`,
    token,
    seen,
    kubeConfig: () => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        // client-node refuses plain HTTP unless TLS verification is off, as for a local proxy.
        clusters: [{ name: "proxy", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: "admin", token }],
        contexts: [{ name: "proxy", cluster: "proxy", user: "admin" }],
        currentContext: "proxy",
      });
      return kubeConfig;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
