// What can stop a canary's router, as findings rather than exceptions: each is fixed by a person
// (in Git, or by installing CRDs), not by trying again.

/**
 * - no-service-backend: no rule of the route sends traffic to the Service.
 * - canary-in-base: the route in Git already names the canary Service (Slipway adds it itself).
 * - too-many-backends: a rule would hold more backends than the CRD allows once split.
 * - weight-too-large: a split weight would pass the CRD's maximum.
 * - route-missing: the route is not in the cluster.
 * - kind-not-served: the cluster does not serve the route's kind (its CRDs are not installed).
 */
export type RouteProblemCode =
  | "no-service-backend"
  | "canary-in-base"
  | "too-many-backends"
  | "weight-too-large"
  | "route-missing"
  | "kind-not-served";

export interface RouteProblem {
  code: RouteProblemCode;
  message: string;
}

export type RouteResult<T> = ({ ok: true } & T) | { ok: false; problem: RouteProblem };

export const routeProblem = (code: RouteProblemCode, message: string): { ok: false; problem: RouteProblem } => ({
  ok: false,
  problem: { code, message },
});
