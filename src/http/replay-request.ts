// The request as the webhook middleware should see it once Slipway has read the body: the same
// method, URL and headers, and a stream that yields the bytes already read. @octokit/webhooks'
// Node middleware (v14) uses exactly these: `method`, `url`, `headers` and the stream's data,
// end and error events; tests through the HTTP server catch a version that wants more.
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

export function replayRequest(request: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Object.assign(Readable.from([body], { objectMode: false }), {
    method: request.method,
    url: request.url,
    headers: request.headers,
  });
  // Not a real IncomingMessage, but one in every way the middleware looks at.
  return replay as unknown as IncomingMessage;
}
