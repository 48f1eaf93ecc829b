// The two kinds of route a canary moves traffic through, described as data: where a route keeps
// its rules, where a rule keeps its backends, which backend is the Service, what its weight is
// when none is written, and how the canary's twin of a backend reads. Pure.
//
// Both lists are atomic for server-side apply (the CRDs declare `x-kubernetes-list-type: atomic`
// or no merge keys), so whoever writes a weight writes the whole list of rules.
import type { CanaryConfig } from "../config/canary-schema.js";
import type { ObjectRef } from "../manifests/object.js";

export type RouterConfig = CanaryConfig["router"];

/** One rule of a route (an HTTPRoute's `spec.rules[]`, a VirtualService's `spec.http[]`), as JSON. */
export type RouteRule = Record<string, unknown>;
/** One backend of a rule (a `backendRefs[]` entry, a `route[]` destination), as JSON. */
export type RouteBackend = Record<string, unknown>;

/** Who a backend sends traffic to, as far as a canary of `service` is concerned. */
export type BackendRole = "stable" | "canary" | "other";

export interface ServiceNames {
  /** The namespace of the route, and of both Services. */
  namespace: string;
  service: string;
  canaryService: string;
}

export interface RouteKind {
  apiVersion: string;
  kind: "HTTPRoute" | "VirtualService";
  /** The route's name, from the canary's configuration. */
  name: string;
  /** Where the route keeps its rules, under `spec`. */
  rulesField: "rules" | "http";
  /** Where a rule keeps its backends. */
  backendsField: "backendRefs" | "route";
  /** The largest weight the CRD accepts. */
  maxWeight: number;
  /** The most backends a rule may hold. */
  maxBackends: number;
  /** The CRDs that serve the kind, for the message when the cluster has none. */
  crds: string;
  roleOf(backend: RouteBackend, names: ServiceNames): BackendRole;
  /** The weight a backend carries when none is written, among `count` backends. */
  defaultWeight(count: number): number;
  /** The same backend, sent to the canary Service instead. */
  canaryTwin(backend: RouteBackend, names: ServiceNames): RouteBackend;
}

const int32Max = 2 ** 31 - 1;

// https://gateway-api.sigs.k8s.io/reference/spec/#httpbackendref
const httpRoute = (name: string): RouteKind => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  name,
  rulesField: "rules",
  backendsField: "backendRefs",
  maxWeight: 1_000_000,
  maxBackends: 16,
  crds: "the Gateway API CRDs (https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api)",
  roleOf: (backend, names) => {
    // A Service in the route's namespace: kind and group default to Service in the core group.
    const isService = (backend.kind ?? "Service") === "Service" && (backend.group ?? "") === "";
    if (!isService || (backend.namespace ?? names.namespace) !== names.namespace) return "other";
    return backend.name === names.service ? "stable" : backend.name === names.canaryService ? "canary" : "other";
  },
  // "If unspecified, weight defaults to 1", and the API server writes the 1 in.
  defaultWeight: () => 1,
  canaryTwin: (backend, names) => ({ ...structuredClone(backend), name: names.canaryService }),
});

// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
const virtualService = (name: string): RouteKind => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  name,
  rulesField: "http",
  backendsField: "route",
  maxWeight: int32Max,
  maxBackends: Number.POSITIVE_INFINITY,
  crds: "Istio's CRDs (the istio/base Helm chart, or istioctl install)",
  roleOf: (backend, names) => {
    const host = hostOf(backend, names.namespace);
    return host?.name === names.service ? "stable" : host?.name === names.canaryService ? "canary" : "other";
  },
  // "If there is only one destination in a rule, it will receive all traffic. Otherwise, if
  // weight is 0, the destination will not receive any traffic"; an unwritten weight is 0.
  defaultWeight: (count) => (count === 1 ? 100 : 0),
  canaryTwin: (backend, names) => {
    const twin = structuredClone(backend);
    const destination = twin.destination as Record<string, unknown>;
    const host = hostOf(backend, names.namespace);
    // The same form of host (web, web.ns, web.ns.svc, web.ns.svc.cluster.local); port and subset kept.
    destination.host = `${names.canaryService}${host?.rest ?? ""}`;
    return twin;
  },
});

/**
 * The Service a destination host names in the route's namespace, and the rest of the host after
 * its name. Short names resolve in the VirtualService's namespace; another namespace, or a
 * cluster domain other than cluster.local, is not this Service.
 */
function hostOf(backend: RouteBackend, namespace: string): { name: string; rest: string } | undefined {
  const host = (backend.destination as { host?: unknown } | undefined)?.host;
  if (typeof host !== "string") return undefined;
  const match = /^([^.]+)(\.([^.]+)(\.svc(\.cluster\.local)?)?)?$/.exec(host);
  if (!match || (match[3] !== undefined && match[3] !== namespace)) return undefined;
  return { name: match[1] ?? "", rest: match[2] ?? "" };
}

export function routeKindOf(router: RouterConfig): RouteKind {
  switch (router.type) {
    case "gateway-api":
      return httpRoute(router.httpRoute);
    case "istio":
      return virtualService(router.virtualService);
  }
}

/** `HTTPRoute web`: how messages name the route (the namespace is the environment's). */
export const routeLabel = (kind: RouteKind): string => `${kind.kind} ${kind.name}`;

/** The route object a canary's router names, in the environment's namespace. */
export function routeRef(router: RouterConfig, namespace: string): ObjectRef {
  const kind = routeKindOf(router);
  return { apiVersion: kind.apiVersion, kind: kind.kind, namespace, name: kind.name };
}

/** The rules a route object holds (its `spec.rules` or `spec.http`), or undefined when it has none. */
export function rulesOf(router: RouterConfig, route: { [field: string]: unknown }): RouteRule[] | undefined {
  const rules = (route.spec as Record<string, unknown> | undefined)?.[routeKindOf(router).rulesField];
  return Array.isArray(rules) ? (rules as RouteRule[]) : undefined;
}
