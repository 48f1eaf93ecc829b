// The API server's limit for a plan: the fewest requests any plan of these objects must make
// (one LIST per kind, for what is live, and one server-side dry-run apply per object), sent as
// fast as the server takes them, 32 in flight over keep-alive connections, with bodies
// serialised beforehand and answers read but never parsed. No tool can plan faster against
// this server; Slipway's time over it is Slipway's own.
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

/** One timed pass over `requests` with a fresh agent (so its TLS handshakes are in the time, as they are for a new process). */
export async function runApiLimit(params: { kubeconfigPath: string; requests: LimitRequest[]; concurrency?: number }): Promise<LimitRun> {
  const { server, tls } = await connectionOf(params.kubeconfigPath);
  const concurrency = params.concurrency ?? 32;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized });
  try {
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < params.requests.length; index = next++) {
        await send(server, params.requests[index] as LimitRequest, { ...tls, agent });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { seconds: (performance.now() - started) / 1000, requests: params.requests.length };
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
