// The client's retry policy against a loopback HTTP server that answers like an overloaded
// API server: 429 with Retry-After, 503, a request that never gets an answer.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { afterEach, describe, expect, it } from "vitest";
import { KubeClient, type KubeClientOptions } from "../../src/kube/client.js";
import { KubeAbortedError, KubeApiError, KubeTransportError } from "../../src/kube/errors.js";

type Answer = (req: IncomingMessage, res: ServerResponse) => void;
const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

async function serverAnswering(answers: Answer[]): Promise<{ client: (o?: Partial<KubeClientOptions>) => Promise<KubeClient>; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    const answer = answers[Math.min(hits, answers.length - 1)];
    hits += 1;
    answer?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const clients: KubeClient[] = [];
  closers.push(() => {
    clients.forEach((client) => client.close());
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return {
    hits: () => hits,
    client: async (options = {}) => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        // client-node refuses plain HTTP unless TLS verification is off, as for a local proxy.
        clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: "u" }],
        contexts: [{ name: "x", cluster: "c", user: "u" }],
        currentContext: "x",
      });
      const client = await KubeClient.fromKubeConfig({ kubeConfig, options: { retryBaseMs: 5, ...options } });
      clients.push(client);
      return client;
    },
  };
}

const status = (code: number, body: object, headers: Record<string, string> = {}): Answer => (_req, res) => {
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ kind: "Status", code, ...body }));
};
const ok: Answer = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "ConfigMap" }));
};

describe("KubeClient retries", () => {
  it("honours Retry-After on 429", async () => {
    const server = await serverAnswering([status(429, { reason: "TooManyRequests" }, { "retry-after": "1" }), ok]);
    const started = Date.now();
    const response = await (await server.client()).request({ method: "GET", path: "/api/v1/namespaces/a/configmaps/b" });
    expect(response.statusCode).toBe(200);
    expect(server.hits()).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("retries 5xx with backoff, then gives up with the server's status", async () => {
    const server = await serverAnswering([status(503, { reason: "ServiceUnavailable", message: "etcd is down" })]);
    const error = await (await server.client({ retries: 2 })).request({ method: "GET", path: "/api/v1/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).statusCode).toBe(503);
    expect(server.hits()).toBe(3);
  });

  it("does not retry an apply rejected for a field the schema does not declare", async () => {
    const server = await serverAnswering([
      status(500, { message: 'failed to create typed patch object (a/b; /v1, Kind=ConfigMap): .dataa: field not declared in schema' }),
    ]);
    await expect((await server.client()).request({ method: "PATCH", path: "/api/v1/x", body: {} })).rejects.toBeInstanceOf(KubeApiError);
    expect(server.hits()).toBe(1);
  });

  it("does not retry a POST, which is not idempotent", async () => {
    const server = await serverAnswering([status(503, {}), ok]);
    await expect((await server.client()).request({ method: "POST", path: "/api/v1/x", body: {} })).rejects.toBeInstanceOf(KubeApiError);
    expect(server.hits()).toBe(1);
  });

  it("gives up on a server that never answers, with a transport error", async () => {
    const server = await serverAnswering([() => undefined]);
    const error = await (await server.client({ timeoutMs: 200, retries: 1 })).request({ method: "GET", path: "/api/v1/x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeTransportError);
    expect((error as Error).message).toMatch(/no answer within 200 ms/);
    expect(server.hits()).toBe(2);
  });
});

describe("KubeClient aborts", () => {
  it("cuts a request in flight when its signal fires, and says it was sent", async () => {
    const server = await serverAnswering([() => undefined]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("the Lease was lost")), 100);
    const started = Date.now();
    const error = await (await server.client({ timeoutMs: 10_000 })).request({ method: "PATCH", path: "/api/v1/x", body: {}, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAbortedError);
    expect(error).toMatchObject({ sent: true, message: expect.stringMatching(/cancelled in flight: the Lease was lost/) });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.hits()).toBe(1);
  });

  it("sends nothing when the signal has fired already", async () => {
    const server = await serverAnswering([ok]);
    const signal = AbortSignal.abort(new Error("stopped"));
    const error = await (await server.client()).request({ method: "PATCH", path: "/api/v1/x", body: {}, signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "KubeAbortedError", sent: false });
    expect(server.hits()).toBe(0);
  });

  it("ends the wait before a retry when the signal fires, without another attempt", async () => {
    const server = await serverAnswering([status(503, {}, { "retry-after": "5" }), ok]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stopped")), 100);
    const started = Date.now();
    const error = await (await server.client({ retryMaxMs: 10_000 })).request({ method: "GET", path: "/api/v1/x", signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAbortedError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.hits()).toBe(1);
  });
});
