// Small answers written by Slipway's own handlers; errors use the `{ "error": ... }` shape of
// @octokit/webhooks' answers, so a client sees one format whoever refused the request.
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export function respondText(response: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  send(response, status, `${text}\n`, { "content-type": "text/plain; charset=utf-8", ...headers });
}

export function respondError(response: ServerResponse, status: number, error: string, headers: OutgoingHttpHeaders = {}): void {
  send(response, status, JSON.stringify({ error }), { "content-type": "application/json", ...headers });
}

function send(response: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void {
  response.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) }).end(body);
}
