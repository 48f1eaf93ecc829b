// The HTTP server on its own: routing, its error boundary, health and readiness, closing.
import { afterEach, describe, expect, it, vi } from "vitest";
import { healthRoutes, type ReadinessCheck } from "../../src/http/health-routes.js";
import { startHttpServer, type RunningServer } from "../../src/http/http-server.js";
import { respondText } from "../../src/http/respond.js";
import type { Route } from "../../src/http/route.js";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const log = { error: vi.fn(), warn: vi.fn() };

async function start(routes: Route[]): Promise<RunningServer> {
  log.error.mockClear();
  log.warn.mockClear();
  running = await startHttpServer({ routes, port: 0, host: "127.0.0.1", log });
  return running;
}

async function get(server: RunningServer, path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const echo: Route = {
  method: "GET",
  path: "/echo",
  handle: (request, response) => {
    respondText(response, 200, `echo ${request.url ?? ""}`);
    return Promise.resolve();
  },
};

describe("startHttpServer", () => {
  it("listens on the port the system picked for port 0 and routes by exact path, ignoring the query", async () => {
    const server = await start([echo]);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(await get(server, "/echo?x=1")).toMatchObject({ status: 200, text: "echo /echo?x=1\n" });
    expect(await get(server, "/echo/")).toMatchObject({ status: 404, text: '{"error":"Not found: /echo/"}' });
  });

  it("answers 404 for unknown paths and 405, with Allow, for a known path and another method", async () => {
    const server = await start([echo]);
    expect(await get(server, "/nowhere")).toMatchObject({ status: 404 });
    const wrongMethod = await get(server, "/echo", { method: "POST", body: "x" });
    expect(wrongMethod).toMatchObject({ status: 405, text: '{"error":"Method not allowed: POST /echo (allowed: GET)"}' });
    expect(wrongMethod.headers.get("allow")).toBe("GET");
  });

  it("answers 500 when a handler throws, logs it, and keeps serving", async () => {
    const failing: Route = { method: "GET", path: "/fail", handle: () => Promise.reject(new Error("boom")) };
    const server = await start([echo, failing]);
    expect(await get(server, "/fail")).toMatchObject({ status: 500, text: '{"error":"Internal server error"}' });
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ message: "boom" }), path: "/fail" }), "an HTTP handler failed");
    expect(await get(server, "/echo")).toMatchObject({ status: 200 });
  });

  it("closes the connection when a handler throws after it started answering, and keeps serving", async () => {
    const halfway: Route = {
      method: "GET",
      path: "/halfway",
      handle: (_request, response) => {
        response.writeHead(200, { "content-length": "100" });
        response.write("partial");
        return Promise.reject(new Error("failed mid-answer"));
      },
    };
    const server = await start([echo, halfway]);
    await expect(get(server, "/halfway")).rejects.toThrow();
    expect(await get(server, "/echo")).toMatchObject({ status: 200 });
  });

  it("stops listening on close(), after answering what is in flight", async () => {
    let release: (() => void) | undefined;
    const slow: Route = {
      method: "GET",
      path: "/slow",
      handle: (_request, response) =>
        new Promise<void>((resolve) => {
          release = () => {
            respondText(response, 200, "done");
            resolve();
          };
        }),
    };
    const server = await start([slow]);
    const inFlight = get(server, "/slow");
    await vi.waitFor(() => expect(release).toBeDefined());
    const closed = server.close();
    running = undefined;
    release?.();
    expect(await inFlight).toMatchObject({ status: 200, text: "done\n" });
    await closed;
    await expect(fetch(`${server.url}/slow`)).rejects.toThrow();
  });

  it("refuses to start on a port in use", async () => {
    const server = await start([echo]);
    await expect(startHttpServer({ routes: [], port: server.port, host: "127.0.0.1", log })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("healthRoutes", () => {
  const withReadiness = (ready: ReadinessCheck) => start(healthRoutes({ ready, log }));

  it("answers /healthz with 200 while the process serves, whatever readiness says", async () => {
    const server = await withReadiness(() => Promise.resolve({ ready: false, reason: "no cluster" }));
    expect(await get(server, "/healthz")).toMatchObject({ status: 200, text: "ok\n" });
  });

  it("answers /readyz with 200 when ready and 503 with the reason when not", async () => {
    let readiness: Awaited<ReturnType<ReadinessCheck>> = { ready: true };
    const server = await withReadiness(() => Promise.resolve(readiness));
    expect(await get(server, "/readyz")).toMatchObject({ status: 200, text: "ready\n" });
    readiness = { ready: false, reason: "the cluster is unreachable" };
    expect(await get(server, "/readyz")).toMatchObject({ status: 503, text: "not ready: the cluster is unreachable\n" });
  });

  it("answers /readyz with 503 when the check itself fails, logging why but not telling the caller", async () => {
    const server = await withReadiness(() => Promise.reject(new Error("token for 10.0.0.1 expired")));
    const answer = await get(server, "/readyz");
    expect(answer).toMatchObject({ status: 503, text: "not ready: the readiness check failed\n" });
    expect(answer.text).not.toContain("10.0.0.1");
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ message: "token for 10.0.0.1 expired" }) }), "the readiness check failed");
  });
});
