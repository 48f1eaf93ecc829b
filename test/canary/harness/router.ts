// Stands for the gateway or mesh that a canary shifts traffic through: sends a steady stream of
// real HTTP requests and splits them over backends by the weights of a route object it reads
// from the real API server, an HTTPRoute (Gateway API) or a VirtualService (Istio).
//
// It follows the first rule only: spec.rules[0].backendRefs of an HTTPRoute, spec.http[0].route
// of a VirtualService, which is where a canary controller writes its weights.
import { Agent, request } from "node:http";
import { isNotFound } from "../../../src/kube/errors.js";
import type { ObjectStore } from "../../../src/kube/objects.js";
import type { KubeObject } from "../../../src/manifests/object.js";

export type RouteKind = "HTTPRoute" | "VirtualService";

export interface RouteRef {
  kind: RouteKind;
  namespace: string;
  name: string;
}

/** Where a Service's traffic goes: a backend's base URL. */
export interface RouterTarget {
  url: string;
}

/** Traffic weight by Service name ("web"; "web.other-ns" for a Service in another namespace). */
export type Weights = Record<string, number>;

/** What the router sent to each Service since the last reset, and how it was answered. */
export type TrafficCounts = Record<string, { requests: number; codes: Record<string, number> }>;

export interface RouterOptions {
  store: ObjectStore;
  route: RouteRef;
  /** The backend of each Service name the route may name; any other name is answered 503. */
  backends: Record<string, RouterTarget>;
  /** Requests per second (default 50). */
  rate?: number;
  /** How often the route is read again (default 200 ms). */
  pollIntervalMs?: number;
}

export interface Router {
  /** The weights last read from the route, or undefined while it does not exist. */
  weights(): Weights | undefined;
  /** Resolves once the route's weights (as read) equal `expected`, ignoring Services of weight 0. */
  waitForWeights(expected: Weights, timeoutMs?: number): Promise<void>;
  counts(): TrafficCounts;
  resetCounts(): void;
  /** Resolves once `n` more requests have been answered. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Stops sending and polling, and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** Where requests go when there is no route (404, as a gateway answers) or no backend of weight > 0 (500). */
export const noRoute = "(no route)";
export const noBackend = "(no backend)";

const apiVersions: Record<RouteKind, string> = {
  HTTPRoute: "gateway.networking.k8s.io/v1",
  VirtualService: "networking.istio.io/v1",
};

export async function startRouter(options: RouterOptions): Promise<Router> {
  const rate = options.rate ?? 50;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const ref = { apiVersion: apiVersions[options.route.kind], kind: options.route.kind, namespace: options.route.namespace, name: options.route.name };
  let weights: Weights | undefined;
  let picker = new WeightedPicker({});
  let counts: TrafficCounts = {};
  let answered = 0;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const readRoute = async () => {
    let route: KubeObject | undefined;
    try {
      route = await options.store.get(ref);
    } catch (error) {
      // An API server that is away keeps the weights last read, as a gateway keeps its config.
      if (!isNotFound(error)) return;
    }
    const next = route ? routeWeights(route) : undefined;
    if (JSON.stringify(next) === JSON.stringify(weights)) return;
    weights = next;
    picker = new WeightedPicker(next ?? {});
  };

  const count = (service: string, code?: number) => {
    const entry = (counts[service] ??= { requests: 0, codes: {} });
    if (code === undefined) entry.requests += 1;
    else entry.codes[code] = (entry.codes[code] ?? 0) + 1;
  };

  const send = (service: string) => {
    count(service);
    const backend = weights === undefined ? undefined : options.backends[service];
    const code =
      weights === undefined ? Promise.resolve(404)
      : service === noBackend ? Promise.resolve(500)
      // A Service with no backend: what Envoy answers when a cluster has no healthy upstream.
      : backend === undefined ? Promise.resolve(503)
      : get(backend.url, agent);
    const done = code.then(
      (status) => count(service, status),
      () => count(service, 0),
    ).finally(() => {
      answered += 1;
      inFlight.delete(done);
    });
    inFlight.add(done);
  };

  await readRoute();
  // Requests are due at a steady rate from the start; a late timer sends what is due at once.
  const started = Date.now();
  let sent = 0;
  const sender = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * rate) / 1000);
    for (; sent < due; sent++) send(weights === undefined ? noRoute : (picker.next() ?? noBackend));
  }, 10);
  let poller: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;
  const poll = () => {
    poller = setTimeout(() => {
      reading = readRoute().finally(() => {
        if (!stopped) poll();
      });
    }, pollIntervalMs);
  };
  poll();

  const waitUntil = async (what: string, done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`router: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return {
    weights: () => (weights ? { ...weights } : undefined),
    waitForWeights: (expected, timeoutMs = 10_000) =>
      waitUntil(
        `weights ${JSON.stringify(expected)} (last read: ${JSON.stringify(weights)})`,
        () => weights !== undefined && JSON.stringify(nonZero(weights)) === JSON.stringify(nonZero(expected)),
        timeoutMs,
      ),
    counts: () => structuredClone(counts),
    resetCounts: () => {
      counts = {};
    },
    waitForRequests: (n, timeoutMs = 30_000) => {
      const target = answered + n;
      return waitUntil(`${n} answered requests`, () => answered >= target, timeoutMs);
    },
    stop: async () => {
      stopped = true;
      clearInterval(sender);
      clearTimeout(poller);
      await Promise.all([reading, ...inFlight]);
      agent.destroy();
    },
  };
}

/**
 * The weights of a route's first rule by Service name. An HTTPRoute backendRef without a weight
 * weighs 1 (the API server defaults it so anyway); a VirtualService destination without one gets
 * all the traffic when it is alone and none otherwise, as Istio routes.
 */
export function routeWeights(route: KubeObject): Weights {
  const spec = (route.spec ?? {}) as {
    rules?: Array<{ backendRefs?: Array<{ name: string; namespace?: string; kind?: string; group?: string; weight?: number }> }>;
    http?: Array<{ route?: Array<{ destination: { host: string }; weight?: number }> }>;
  };
  const namespace = route.metadata.namespace ?? "default";
  const weights: Weights = {};
  const add = (service: string, weight: number) => (weights[service] = (weights[service] ?? 0) + weight);
  if (route.kind === "HTTPRoute") {
    for (const backend of spec.rules?.[0]?.backendRefs ?? []) {
      const kind = `${backend.group ? `${backend.group}/` : ""}${backend.kind ?? "Service"}`;
      const name = serviceKey(backend.name, backend.namespace ?? namespace, namespace);
      add(kind === "Service" ? name : `${kind}/${name}`, backend.weight ?? 1);
    }
  } else {
    const destinations = spec.http?.[0]?.route ?? [];
    for (const destination of destinations) {
      // web, web.ns, web.ns.svc, web.ns.svc.cluster.local
      const [name = "", hostNamespace = namespace] = destination.destination.host.replace(/\.svc(\.cluster\.local)?$/, "").split(".");
      add(serviceKey(name, hostNamespace, namespace), destination.weight ?? (destinations.length === 1 ? 1 : 0));
    }
  }
  return weights;
}

const serviceKey = (name: string, namespace: string, routeNamespace: string) =>
  namespace === routeNamespace ? name : `${name}.${namespace}`;

function nonZero(weights: Weights): Weights {
  return Object.fromEntries(Object.entries(weights).filter(([, weight]) => weight > 0).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Smooth weighted round robin (nginx's): deterministic and exact over any window, where
 * Envoy's random choice would only approach the weights, so tests can hold a tight tolerance.
 */
class WeightedPicker {
  private readonly current = new Map<string, number>();
  private readonly total: number;
  constructor(private readonly weights: Weights) {
    this.total = Object.values(weights).reduce((sum, weight) => sum + Math.max(0, weight), 0);
    for (const service of Object.keys(weights)) this.current.set(service, 0);
  }

  next(): string | undefined {
    if (this.total === 0) return undefined;
    let best: string | undefined;
    for (const [service, weight] of Object.entries(this.weights)) {
      if (weight <= 0) continue;
      const value = (this.current.get(service) ?? 0) + weight;
      this.current.set(service, value);
      if (best === undefined || value > (this.current.get(best) ?? 0)) best = service;
    }
    if (best !== undefined) this.current.set(best, (this.current.get(best) ?? 0) - this.total);
    return best;
  }
}

function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
    req.on("error", reject);
    req.end();
  });
}
