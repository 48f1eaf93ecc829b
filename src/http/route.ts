// What the HTTP server serves: a method, an exact path and a handler. The server knows nothing
// else, so a new endpoint (/metrics, say) is one more Route in the list it is given.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Route {
  method: "GET" | "POST";
  /** Matched exactly against the request's path, without its query. */
  path: string;
  /** May throw: the server answers 500 and keeps serving. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}
