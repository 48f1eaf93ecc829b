// The API server's limit for a plan: the fewest requests any plan of these objects must make
// (one LIST per kind, for what is live, and one server-side dry-run apply per object), sent as
// fast as the server takes them, 32 in flight over keep-alive connections, with bodies
// serialised beforehand and answers read but never parsed. No tool can plan faster against
// this server; Slipway's time over it is Slipway's own.
// For an apply, two phases, one after the other as Slipway's preflight must end before its first
// write: a server-side dry-run apply of every object, then a real apply of each object that
// changes.
import { Agent, request, type RequestOptions } from "node:https";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { fieldManager } from "./tools.js";

export interface LimitRequest {
  method: "GET" | "PATCH";
  path: string;
  body?: string;
}

/** What the driver sends for `objects` in `namespace`: the LISTs first, then the dry-runs. */
export function limitRequests(params: { namespace: string; objects: Array<{ kind: string; name: string; body: unknown }> }): LimitRequest[] {
  const ns = encodeURIComponent(params.namespace);
  const kinds = [...new Set(params.objects.map((object) => object.kind))];
  const query = `fieldManager=${fieldManager}&force=true&fieldValidation=Strict&dryRun=All`;
  return [
    ...kinds.map((kind) => ({ method: "GET" as const, path: collectionOf(kind, ns) })),
    ...params.objects.map((object) => ({
      method: "PATCH" as const,
      path: `${collectionOf(object.kind, ns)}/${encodeURIComponent(object.name)}?${query}`,
      body: JSON.stringify(object.body),
    })),
  ];
}

/** An apply's phases: the preflight's dry-run of every object, then the writes of those that change. */
export function applyLimitPhases(params: { namespace: string; objects: Array<{ kind: string; name: string; body: unknown; changes: boolean }> }): LimitRequest[][] {
  const ns = encodeURIComponent(params.namespace);
  const patch = (object: { kind: string; name: string; body: unknown }, query: string): LimitRequest => ({
    method: "PATCH",
    path: `${collectionOf(object.kind, ns)}/${encodeURIComponent(object.name)}?${query}`,
    body: JSON.stringify(object.body),
  });
  const query = `fieldManager=${fieldManager}&fieldValidation=Strict`;
  const writes = params.objects.filter((object) => object.changes);
  return [params.objects.map((object) => patch(object, `${query}&dryRun=All`)), writes.map((object) => patch(object, query))];
}

// The benchmark's three kinds (apps.ts); a new kind must be added here.
function collectionOf(kind: string, ns: string): string {
  switch (kind) {
    case "Deployment":
      return `/apis/apps/v1/namespaces/${ns}/deployments`;
    case "Service":
      return `/api/v1/namespaces/${ns}/services`;
    case "ConfigMap":
      return `/api/v1/namespaces/${ns}/configmaps`;
    default:
      throw new Error(`the limit driver has no path for kind ${kind}`);
  }
}

export interface LimitRun {
  seconds: number;
  requests: number;
}

/**
 * One timed pass over `requests` with a fresh agent (so its TLS handshakes are in the time, as they
 * are for a new process); with `phases`, each phase in turn, the next starting when the last ends.
 */
export async function runApiLimit(params: { kubeconfigPath: string; requests?: LimitRequest[]; phases?: LimitRequest[][]; concurrency?: number }): Promise<LimitRun> {
  const { server, tls } = await connectionOf(params.kubeconfigPath);
  const concurrency = params.concurrency ?? 32;
  const phases = params.phases ?? [params.requests ?? []];
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized });
  try {
    const started = performance.now();
    for (const requests of phases) {
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < requests.length; index = next++) {
          await send(server, requests[index] as LimitRequest, { ...tls, agent });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    }
    return { seconds: (performance.now() - started) / 1000, requests: phases.reduce((total, requests) => total + requests.length, 0) };
  } finally {
    agent.destroy();
  }
}

async function connectionOf(kubeconfigPath: string): Promise<{ server: URL; tls: RequestOptions }> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error(`${kubeconfigPath} names no cluster`);
  const tls: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(tls);
  return { server: new URL(cluster.server), tls };
}

function send(server: URL, req: LimitRequest, options: RequestOptions): Promise<void> {
  const headers: Record<string, string> = { ...(options.headers as Record<string, string>), accept: "application/json" };
  if (req.body !== undefined) {
    headers["content-type"] = "application/apply-patch+yaml";
    headers["content-length"] = String(Buffer.byteLength(req.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(req.path, server), { ...options, method: req.method, headers }, (res) => {
      // Read to the end so the connection goes back to the pool; the answer itself is not parsed.
      res.on("data", () => undefined);
      res.on("error", reject);
      res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${req.method} ${req.path}: HTTP ${res.statusCode}`))));
    });
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}
