// Which requests a Slipway run sent and when, by kind of request: evidence for where its time
// goes. It wraps `request` on the one client instance; the engine itself is untouched.
import type { KubeClient, KubeRequest, KubeResponse } from "../../src/kube/client.js";

export interface RequestPhase {
  count: number;
  /** Milliseconds since the run started: when the first of them was sent, when the last answered. */
  firstStartMs: number;
  lastEndMs: number;
}

/** Kind of request (`apply (dry-run)`, `GET leases`, `LIST deployments`, …) → its phase. */
export type RequestTally = Map<string, RequestPhase>;

export function countRequests(client: KubeClient, origin: number): RequestTally {
  const tally: RequestTally = new Map();
  const send = client.request.bind(client);
  client.request = async <T>(req: KubeRequest): Promise<KubeResponse<T>> => {
    const started = performance.now() - origin;
    try {
      return await send<T>(req);
    } finally {
      const key = classify(req);
      const phase = tally.get(key) ?? { count: 0, firstStartMs: started, lastEndMs: 0 };
      tally.set(key, { count: phase.count + 1, firstStartMs: Math.min(phase.firstStartMs, started), lastEndMs: performance.now() - origin });
    }
  };
  return tally;
}

export function describeTally(tally: RequestTally): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  return [...tally]
    .sort(([, a], [, b]) => a.firstStartMs - b.firstStartMs)
    .map(([key, phase]) => `${phase.count} ${key} (${seconds(phase.firstStartMs)}–${seconds(phase.lastEndMs)} s)`)
    .join(", ");
}

/** Paths are `/api/v1/…` or `/apis/<group>/<version>/…`, then `[namespaces/<ns>/]<resource>[/<name>]`. */
function classify(req: KubeRequest): string {
  const parts = req.path.split("/").filter(Boolean);
  const rest = parts.slice(parts[0] === "api" ? 2 : 3);
  if (rest.length === 0) return "discovery";
  const namespaced = rest[0] === "namespaces" && rest.length >= 3;
  const [resource, name] = namespaced ? [rest[2], rest[3]] : [rest[0], rest[1]];
  if (req.method === "PATCH") return req.query?.dryRun ? "apply (dry-run)" : "apply";
  return `${req.method === "GET" && name === undefined ? "LIST" : req.method} ${resource ?? "?"}`;
}
