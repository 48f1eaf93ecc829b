// Reads a request body into memory, refusing one larger than a cap before holding more than the
// cap: by its Content-Length before reading anything, and by counting for a chunked body (or one
// whose length the client did not declare). @octokit/webhooks would read any size (security.md T4).
import type { IncomingMessage } from "node:http";

export type BodyReading = { fits: true; body: Buffer } | { fits: false };

/** Leaves a body that does not fit unread and paused: answer, then close the connection. */
export function readBodyWithin(request: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  if (Number(request.headers["content-length"]) > maxBytes) return Promise.resolve({ fits: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off("data", onData).off("end", onEnd).off("error", onError);
      request.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        resolve({ fits: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ fits: true, body: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    request.on("data", onData).on("end", onEnd).on("error", onError);
  });
}
