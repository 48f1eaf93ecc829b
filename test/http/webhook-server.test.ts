// Webhook deliveries through Slipway's real HTTP server on a loopback port: real HTTP requests in,
// Probot's middleware and @octokit/webhooks checking the signature, GitHub answered by nock (any
// request nobody expected fails the test). A refused delivery must have no effect at all: the
// app's handlers do not run and nothing is sent to GitHub.
import type { ApplicationFunction } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/config/webhook-settings.js";
import type { RunningServer } from "../../src/http/http-server.js";
import { startWebhookServer } from "../../src/http/start-webhook-server.js";
import slipway from "../../src/index.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub, type GitHubMock } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, examplePayload } from "../support/github/payloads.js";
import { createUnloadedTestProbot } from "../support/github/probot.js";
import { signDelivery, signDeliverySha1 } from "../support/github/sign.js";
import { chunkedBody, sendRawRequest } from "../support/http/raw-request.js";

const secret = "a-webhook-secret-of-more-than-20-characters";
const webhookPath = "/api/github/webhooks";
const signatureMismatch = { error: "Error: [@octokit/webhooks] signature does not match event payload and secret" };
const signatureMissing = { error: "Required headers missing: x-hub-signature-256" };

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

interface Received {
  name: string;
  id: string;
}

/** Starts the server with an app that records every delivery and thanks each new pull request. */
async function startServer(options: { maxBodyBytes?: number; secret?: string; app?: ApplicationFunction } = {}) {
  const received: Received[] = [];
  const recordingApp: ApplicationFunction = (app) => {
    app.onAny((context) => {
      received.push({ name: context.name, id: context.id });
      return Promise.resolve();
    });
    app.on("pull_request.opened", async (context) => {
      await context.octokit.rest.issues.createComment(context.issue({ body: "Thanks!" }));
    });
  };
  running = await startWebhookServer({
    probot: createUnloadedTestProbot({ secret: options.secret ?? secret }),
    app: options.app ?? recordingApp,
    webhookPath,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    port: 0,
    host: "127.0.0.1",
  });
  return { server: running, received };
}

interface Delivery {
  event: string;
  body: string;
  /** Replace GitHub's headers; `undefined` leaves one out. */
  headers?: Record<string, string | undefined>;
}

/** POSTs a delivery with GitHub's headers, signed with `secret` unless `headers` says otherwise. */
async function deliver(server: RunningServer, delivery: Delivery): Promise<{ status: number; body: unknown }> {
  const headers = {
    "content-type": "application/json",
    "x-github-event": delivery.event,
    "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "x-hub-signature-256": signDelivery(secret, delivery.body),
    ...delivery.headers,
  };
  const response = await fetch(`${server.url}${webhookPath}`, {
    method: "POST",
    headers: Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    body: delivery.body,
  });
  const text = await response.text();
  return { status: response.status, body: response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text };
}

const pullRequestOpened = () => JSON.stringify(examplePayload("pull_request", "opened"));
const ping = () => JSON.stringify(examplePayload("ping"));

function expectNoEffect(received: Received[], github: GitHubMock): void {
  expect(received).toEqual([]);
  expect(github.requests).toEqual([]);
}

describe("the signing helper", () => {
  it("reproduces GitHub's published test vector", () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signDelivery("It's a Secret to Everybody", "Hello, World!")).toBe(
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
  });
});

describe("webhook deliveries through the HTTP server", () => {
  it("accepts a correctly signed pull_request delivery and runs the app, which talks to GitHub", async () => {
    const github = mockGitHub();
    const { server, received } = await startServer();
    const body = pullRequestOpened();
    const { repository, number } = JSON.parse(body) as { repository: { full_name: string }; number: number };
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.post(`/repos/${repository.full_name}/issues/${number}/comments`, { body: "Thanks!" }).reply(201, { id: 1 });

    // Probot answers once the handlers have run, so their effects are visible at once.
    expect(await deliver(server, { event: "pull_request", body })).toEqual({ status: 200, body: "ok\n" });
    expect(received).toEqual([{ name: "pull_request", id: "72d3162e-cc78-11e3-81ab-4c9367dc0958" }]);
    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual(["apps/create-installation-access-token", "issues/create-comment"]);
  });

  it("accepts a correctly signed ping", async () => {
    const github = mockGitHub();
    const { server, received } = await startServer();
    expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 200, body: "ok\n" });
    expect(received).toEqual([{ name: "ping", id: "72d3162e-cc78-11e3-81ab-4c9367dc0958" }]);
    expect(github.requests).toEqual([]);
  });

  it("serves Slipway's own app (src/index.ts)", async () => {
    const github = mockGitHub();
    const { server } = await startServer({ app: slipway });
    expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 200, body: "ok\n" });
    expect(github.requests).toEqual([]);
  });

  it("checks the signature with @octokit/webhooks: GitHub's test vector passes it (and then is not JSON)", async () => {
    mockGitHub();
    const vectorSecret = "It's a Secret to Everybody";
    const { server, received } = await startServer({ secret: vectorSecret });
    const headers = { "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" };
    // A refused signature would say "signature does not match"; this one got as far as JSON.parse.
    expect(await deliver(server, { event: "ping", body: "Hello, World!", headers })).toEqual({ status: 400, body: { error: "SyntaxError: Invalid JSON" } });
    expect(received).toEqual([]);
  });

  describe("refuses, with no effect at all,", () => {
    const body = pullRequestOpened();
    it.each([
      ["a signature made with another secret", { "x-hub-signature-256": signDelivery("another-secret-of-more-than-20-chars", body) }, 400, signatureMismatch],
      ["a signature made with Probot's development secret", { "x-hub-signature-256": signDelivery("development", body) }, 400, signatureMismatch],
      ["a signature that is not hex", { "x-hub-signature-256": "sha256=not-a-signature" }, 400, signatureMismatch],
      ["an empty signature", { "x-hub-signature-256": "" }, 400, signatureMismatch],
      ["a missing X-Hub-Signature-256", { "x-hub-signature-256": undefined }, 400, signatureMissing],
      ["only a (valid) sha1 X-Hub-Signature", { "x-hub-signature-256": undefined, "x-hub-signature": signDeliverySha1(secret, body) }, 400, signatureMissing],
      ["a missing X-GitHub-Event", { "x-github-event": undefined }, 400, { error: "Required headers missing: x-github-event" }],
      ["a body that is not JSON by its Content-Type", { "content-type": "text/plain" }, 415, { error: 'Unsupported "Content-Type" header value. Must be "application/json"' }],
    ])("%s", async (_name, headers, status, answer) => {
      const github = mockGitHub();
      const { server, received } = await startServer();
      expect(await deliver(server, { event: "pull_request", body, headers })).toEqual({ status, body: answer });
      expectNoEffect(received, github);
    });

    it("a body changed by one bit after signing", async () => {
      const github = mockGitHub();
      const { server, received } = await startServer();
      const signature = signDelivery(secret, body);
      const bytes = Buffer.from(body);
      const at = body.indexOf('"action":"opened"') + '"action":"'.length;
      bytes[at] = (bytes[at] ?? 0) ^ 0x20; // "opened" → "Opened"
      const tampered = bytes.toString();
      expect(tampered).toContain('"action":"Opened"');
      expect(await deliver(server, { event: "pull_request", body: tampered, headers: { "x-hub-signature-256": signature } })).toEqual({
        status: 400,
        body: signatureMismatch,
      });
      expectNoEffect(received, github);
    });
  });

  describe("caps the body before Probot reads it", () => {
    it("answers 413 at once to a Content-Length over the cap (25 MiB by default), without reading the body", async () => {
      const github = mockGitHub();
      const { server, received } = await startServer();
      const head = [
        `POST ${webhookPath} HTTP/1.1`,
        "host: 127.0.0.1",
        "content-type: application/json",
        "x-github-event: pull_request",
        "x-github-delivery: 1",
        "x-hub-signature-256: sha256=00",
        `content-length: ${DEFAULT_MAX_BODY_BYTES + 1}`,
      ].join("\r\n");
      // Only the headers are sent: the answer must not wait for the 25 MiB the client announced.
      const exchange = await sendRawRequest(server.port, head, []);
      expect(exchange).toMatchObject({ status: 413, closedByServer: true });
      expect(exchange.response).toContain(`{"error":"Request body larger than ${DEFAULT_MAX_BODY_BYTES} bytes"}`);
      expectNoEffect(received, github);
      expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 200, body: "ok\n" });
    });

    it("answers 413 and closes the connection once a chunked body grows past the cap (26 MiB sent, default cap)", async () => {
      const github = mockGitHub();
      const { server, received } = await startServer();
      const head = [
        `POST ${webhookPath} HTTP/1.1`,
        "host: 127.0.0.1",
        "content-type: application/json",
        "x-github-event: pull_request",
        "x-github-delivery: 1",
        "x-hub-signature-256: sha256=00",
        "transfer-encoding: chunked",
      ].join("\r\n");
      const exchange = await sendRawRequest(server.port, head, chunkedBody(26 * 1024 * 1024, 256 * 1024));
      expect(exchange).toMatchObject({ status: 413, closedByServer: true });
      expect(exchange.response).toMatch(/\r\nconnection: close\r\n/i);
      expectNoEffect(received, github);
      expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 200, body: "ok\n" });
    });

    it("stops reading a chunked body with no end once it passes a configured cap", async () => {
      const github = mockGitHub();
      const { server, received } = await startServer({ maxBodyBytes: 64 * 1024 });
      const head = [`POST ${webhookPath} HTTP/1.1`, "host: 127.0.0.1", "content-type: application/json", "transfer-encoding: chunked"].join("\r\n");
      // 2 GiB announced in 64 KiB chunks: the server must answer and hang up long before.
      const exchange = await sendRawRequest(server.port, head, chunkedBody(2 * 1024 ** 3, 64 * 1024));
      expect(exchange).toMatchObject({ status: 413, closedByServer: true });
      expect(exchange.response).toContain('{"error":"Request body larger than 65536 bytes"}');
      expect(exchange.bodyBytesSent).toBeLessThan(64 * 1024 * 1024);
      expectNoEffect(received, github);
      expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 200, body: "ok\n" });
    });

    it("accepts a delivery of exactly the cap", async () => {
      mockGitHub();
      const body = ping();
      const { server, received } = await startServer({ maxBodyBytes: Buffer.byteLength(body) });
      expect(await deliver(server, { event: "ping", body })).toEqual({ status: 200, body: "ok\n" });
      expect(await deliver(server, { event: "ping", body: `${body} ` })).toEqual({ status: 413, body: { error: `Request body larger than ${Buffer.byteLength(body)} bytes` } });
      expect(received).toHaveLength(1);
    });
  });

  it("answers 500 when a handler throws, and keeps serving", async () => {
    const github = mockGitHub();
    const failing: ApplicationFunction = (app) => {
      app.on("ping", () => Promise.reject(new Error("handler failed")));
    };
    const { server } = await startServer({ app: failing });
    expect(await deliver(server, { event: "ping", body: ping() })).toEqual({ status: 500, body: { error: "Error: handler failed" } });
    expect(await fetch(`${server.url}/healthz`).then((response) => response.status)).toBe(200);
    expect(github.requests).toEqual([]);
  });

  it("has no Probot setup, import or static pages", async () => {
    mockGitHub();
    const { server } = await startServer();
    for (const path of ["/probot", "/probot/setup", "/probot/import", "/probot/success", "/probot/static/probot-head.png", "/ping"]) {
      expect(await fetch(`${server.url}${path}`).then((response) => response.status), path).toBe(404);
    }
    expect(await fetch(`${server.url}/probot/import`, { method: "POST", body: "{}" }).then((response) => response.status)).toBe(404);
  });
});
