// Requests written byte by byte on a TCP socket, for what fetch will not send: a Content-Length
// the body never matches, or a chunked body that keeps growing while the server has already
// answered. Nothing here is intercepted by nock.
import { connect, type Socket } from "node:net";

export interface RawExchange {
  /** Everything the server sent, as text. */
  response: string;
  /** e.g. 413, from the status line; undefined when the server answered nothing. */
  status: number | undefined;
  /** Body bytes written before the server answered or closed the connection. */
  bodyBytesSent: number;
  /** False when the server still held the connection open `waitMs` after the request began. */
  closedByServer: boolean;
}

/**
 * Writes `head` (request line and headers, without the blank line), then the body parts one at a
 * time, stopping as soon as the server answers; resolves once the server closes the connection,
 * or after `waitMs` (then closing it ourselves).
 */
export function sendRawRequest(port: number, head: string, body: Iterable<Buffer>, waitMs = 5_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    let bodyBytesSent = 0;
    let closed = false;
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, waitMs);
    socket.on("data", (data) => (response += data.toString("latin1")));
    // A server that closes while we are still writing makes our next write fail (EPIPE, ECONNRESET):
    // that is how a refused upload ends, so only what it answered before counts.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1];
      resolve({ response, status: status === undefined ? undefined : Number(status), bodyBytesSent, closedByServer });
    });
    const write = async () => {
      socket.write(`${head}\r\n\r\n`);
      for (const part of body) {
        if (closed || response) return;
        const drained = socket.write(part);
        bodyBytesSent += part.length;
        if (!drained) await drainOrClose(socket);
      }
    };
    void write();
  });
}

function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done).off("close", done);
      resolve();
    };
    socket.on("drain", done).on("close", done);
  });
}

/** A chunked body of `totalBytes` bytes of JSON-ish filler, in chunks of `chunkBytes`, framed. */
export function* chunkedBody(totalBytes: number, chunkBytes: number): Generator<Buffer> {
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) {
    const size = Math.min(chunkBytes, totalBytes - sent);
    yield Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, " "), Buffer.from("\r\n")]);
  }
  yield Buffer.from("0\r\n\r\n");
}
