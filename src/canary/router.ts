// How the canary controller moves traffic between the stable Service `<service>` and the canary
// Service `<service>-canary`: through a Gateway API HTTPRoute or an Istio VirtualService, read
// back every tick and written with server-side apply under the canary's own field manager.
//
// The route's rules are an atomic list for server-side apply, so a weight is written by applying
// the whole `spec.rules` (`spec.http`), computed from the rules Git wrote (the base, kept in the
// canary's state). While the canary holds them, Slipway's own apply of Git's route conflicts on
// that list and must hold it back (apply the live rules, see routeObject).
//
// Back at weight 0 the canary writes the base and then gives the rules up. Writing the base is
// not enough for Git's apply to share them: the API server compares an applied list with the
// live one before filling in the CRD's defaults (an HTTPRoute's backendRefs get weight: 1, kind:
// Service, group: "", its rules a default path match), so Git's rules as written differ from the
// same rules as stored, and two managers applying them conflict (kubernetes/kubernetes#129960).
// An Istio VirtualService has no such defaults, but is handled the same way.
// https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy
import { UnknownKindError, type ObjectStore } from "../kube/objects.js";
import { displayName, type KubeObject } from "../manifests/object.js";
import { routeKindOf, routeRef, rulesOf, type RouteRule, type RouterConfig, type ServiceNames } from "../desired/route-kinds.js";
import { routeProblem, type RouteProblem, type RouteResult } from "./route-problem.js";
import { canaryWeightOf, splitRules } from "./split-rules.js";

/** What the router needs of the cluster. */
export type RouteStore = Pick<ObjectStore, "get" | "apply" | "releaseFields">;

export interface SetRouteWeightParams extends ServiceNames {
  /** The route's rules as Git wrote them, captured when the canary started. */
  base: readonly RouteRule[];
  /** The canary's share of the Service's traffic, in percent (0 to 100). */
  weight: number;
  /** The canary's field manager (`<fieldManager>-canary`), never the one Slipway applies Git with. */
  fieldManager: string;
  signal?: AbortSignal;
}

/**
 * The apply body that sets a route's rules and nothing else: apiVersion, kind, name, namespace
 * and `spec.rules` (`spec.http`). What the canary writes; and what Slipway's main apply should
 * send for the route while a canary holds it, with the live rules, so as not to take them back.
 */
export function routeObject(router: RouterConfig, params: { namespace: string; rules: readonly RouteRule[] }): KubeObject {
  const ref = routeRef(router, params.namespace);
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, namespace: params.namespace },
    spec: { [routeKindOf(router).rulesField]: structuredClone(params.rules) },
  };
}

/** The canary weight the live route holds now: 0 when it does not route to the canary Service. */
export async function readRouteWeight(store: RouteStore, router: RouterConfig, params: ServiceNames): Promise<RouteResult<{ weight: number }>> {
  const live = await liveRoute(store, router, params.namespace);
  if (!live.ok) return live;
  return canaryWeightOf(router, rulesOf(router, live.route) ?? [], params);
}

/**
 * Sends `weight` percent of the Service's traffic to the canary: applies the base's rules split
 * at that weight, forcing ownership of the rules to the canary's field manager. At 0 it applies
 * the base and releases the rules, which become Git's alone again; when the canary owns nothing
 * and sends nothing to the canary already, it writes nothing (a newer apply of Git's route is
 * not taken back). Idempotent: the same weight again changes nothing. Resolves with the weight.
 */
export async function setRouteWeight(store: RouteStore, router: RouterConfig, params: SetRouteWeightParams): Promise<RouteResult<{ weight: number }>> {
  const split = splitRules(router, params.base, params);
  if (!split.ok) return split;
  // An apply creates what is missing: a route deleted in the meantime must stay deleted rather
  // than come back holding nothing but rules. (A deletion between the two requests still wins
  // that race; the next tick's read reports the route missing.)
  params.signal?.throwIfAborted();
  const live = await liveRoute(store, router, params.namespace);
  if (!live.ok) return live;
  if (params.weight === 0 && !managedBy(live.route, params.fieldManager)) {
    const now = canaryWeightOf(router, rulesOf(router, live.route) ?? [], params);
    if (now.ok && now.weight === 0) return { ok: true, weight: 0 };
  }
  params.signal?.throwIfAborted();
  try {
    const written = await store.apply(routeObject(router, { namespace: params.namespace, rules: split.rules }), {
      fieldManager: params.fieldManager,
      force: true,
    });
    if (params.weight === 0) await store.releaseFields(written, params.fieldManager);
  } catch (error) {
    const problem = routeErrorProblem(error, router, params.namespace);
    if (problem) return { ok: false, problem };
    throw error;
  }
  return { ok: true, weight: params.weight };
}

const managedBy = (object: KubeObject, manager: string): boolean =>
  ((object.metadata.managedFields ?? []) as Array<{ manager?: string }>).some((entry) => entry.manager === manager);

async function liveRoute(store: RouteStore, router: RouterConfig, namespace: string): Promise<RouteResult<{ route: KubeObject }>> {
  const ref = routeRef(router, namespace);
  let route: KubeObject | undefined;
  try {
    route = await store.get(ref);
  } catch (error) {
    const problem = routeErrorProblem(error, router, namespace);
    if (problem) return { ok: false, problem };
    throw error;
  }
  if (!route) return routeProblem("route-missing", `${displayName(ref)} does not exist: the canary has no route to move traffic with.`);
  return { ok: true, route };
}

/**
 * The problem an error reading or writing the route stands for, or undefined when it is an error
 * (an outage, a refusal) that must propagate. The cluster not serving the kind means its CRDs are
 * not installed: discovery does not list it.
 */
export function routeErrorProblem(error: unknown, router: RouterConfig, namespace: string): RouteProblem | undefined {
  if (!(error instanceof UnknownKindError)) return undefined;
  const kind = routeKindOf(router);
  return {
    code: "kind-not-served",
    message: `The cluster does not serve ${kind.kind} in ${kind.apiVersion}, so ${displayName(routeRef(router, namespace))} cannot split traffic: install ${kind.crds}.`,
  };
}
