// The rules a route holds at a canary weight, computed from the rules Git wrote (the base), and
// the weight a route's rules hold, read back. Pure: the router (router.ts) does the I/O.
//
// Every backend that sends traffic to the Service becomes two: the Service, and its canary twin
// (same port, filters, subset; the canary Service's name or host), which takes `weight` percent
// of what the Service got. Every rule is split, header-matched ones included; nothing but the
// backends changes.
//
// Other backends in the same rule keep their share of the rule's traffic: the weights are scaled
// so that the proportions the repository wrote still hold. With `[web 80, legacy 20]` at 10 %,
// legacy keeps 20 % and the canary gets 8 % of the rule's traffic (10 % of web's 80 %). Refusing
// such routes would rule out common ones (a migration split, a weighted fallback); writing
// absolute weights, as Argo Rollouts' Gateway API plugin does (stable 100-w, canary w, others
// left alone), would silently shift traffic to or from the other backends at every step. Flagger
// owns the whole route, so it has no other backends to keep.
import {
  routeKindOf,
  routeLabel,
  type BackendRole,
  type RouteBackend,
  type RouteKind,
  type RouteRule,
  type RouterConfig,
  type ServiceNames,
} from "../desired/route-kinds.js";
import { routeProblem, type RouteResult } from "./route-problem.js";

export interface SplitParams extends ServiceNames {
  /** The canary's share of the Service's traffic, in percent: an integer from 0 to 100. */
  weight: number;
}

/**
 * The route's rules with `weight` percent of the Service's traffic sent to the canary. At 0 the
 * result is the base itself (deep-equal), so that Slipway's apply of the route from Git and the
 * canary's write agree on the atomic list and share it without a conflict.
 */
export function splitRules(router: RouterConfig, base: readonly RouteRule[], params: SplitParams): RouteResult<{ rules: RouteRule[] }> {
  const kind = routeKindOf(router);
  if (!Number.isInteger(params.weight) || params.weight < 0 || params.weight > 100) {
    throw new RangeError(`a canary weight is an integer from 0 to 100, not ${params.weight}`);
  }
  const label = routeLabel(kind);
  const rolesByRule = base.map((rule) => backendsOf(kind, rule).map((backend) => kind.roleOf(backend, params)));
  if (rolesByRule.some((roles) => roles.includes("canary"))) {
    return routeProblem(
      "canary-in-base",
      `${label} already routes to Service ${params.canaryService}: Slipway adds the canary's backend itself while a canary runs. Remove it from the route in Git.`,
    );
  }
  const sendsToService = base.some((rule) =>
    backendsOf(kind, rule).some((backend, _, all) => kind.roleOf(backend, params) === "stable" && weightOf(kind, backend, all.length) > 0),
  );
  if (!sendsToService) {
    return routeProblem("no-service-backend", `${label} routes nothing to Service ${params.service}: add a backend for it to one of its rules.`);
  }
  if (params.weight === 0) return { ok: true, rules: structuredClone(base) as RouteRule[] };

  const rules: RouteRule[] = [];
  for (const [index, rule] of base.entries()) {
    const roles = rolesByRule[index] ?? [];
    if (!roles.includes("stable")) {
      rules.push(structuredClone(rule));
      continue;
    }
    const backends = splitBackends(kind, backendsOf(kind, rule), roles, params);
    if (backends.length > kind.maxBackends) {
      return routeProblem(
        "too-many-backends",
        `${label} rule ${index + 1} would hold ${backends.length} backends with the canary's, more than the ${kind.maxBackends} a rule may hold.`,
      );
    }
    const heaviest = Math.max(...backends.map((backend) => (backend.weight as number | undefined) ?? 0));
    if (heaviest > kind.maxWeight) {
      return routeProblem(
        "weight-too-large",
        `${label} rule ${index + 1} would need a weight of ${heaviest} to keep its proportions, more than ${kind.maxWeight}: write its weights with smaller numbers.`,
      );
    }
    rules.push({ ...structuredClone(rule), [kind.backendsField]: backends });
  }
  return { ok: true, rules };
}

function splitBackends(kind: RouteKind, backends: RouteBackend[], roles: BackendRole[], params: SplitParams): RouteBackend[] {
  const weights = backends.map((backend) => weightOf(kind, backend, backends.length));
  // Divided by their greatest common divisor, the Service's weight is a whole number of units,
  // each split 100-w : w; other backends get 100 per unit, which keeps every proportion exact.
  // A lone Service backend becomes exactly 100-w and w.
  const unit = weights.filter((weight) => weight > 0).reduce(gcd, 0) || 1;
  return backends.flatMap((backend, index) => {
    const units = (weights[index] ?? 0) / unit;
    if (roles[index] === "stable") {
      return [
        { ...structuredClone(backend), weight: units * (100 - params.weight) },
        { ...kind.canaryTwin(backend, params), weight: units * params.weight },
      ];
    }
    const scaled = units * 100;
    return [scaled === weights[index] ? structuredClone(backend) : { ...structuredClone(backend), weight: scaled }];
  });
}

/**
 * The canary's share of the Service's traffic in a route's rules, in percent: in each rule that
 * routes to either Service, canary weight / (stable + canary weight); the highest over the rules,
 * so that any traffic still reaching the canary shows. 0 when no rule names the canary.
 */
export function canaryWeightOf(router: RouterConfig, rules: readonly RouteRule[], names: ServiceNames): RouteResult<{ weight: number }> {
  const kind = routeKindOf(router);
  let found = false;
  let highest = 0;
  for (const rule of rules) {
    const backends = backendsOf(kind, rule);
    let stable = 0;
    let canary = 0;
    for (const backend of backends) {
      const role = kind.roleOf(backend, names);
      if (role === "stable") stable += weightOf(kind, backend, backends.length);
      if (role === "canary") canary += weightOf(kind, backend, backends.length);
      found ||= role !== "other";
    }
    if (stable + canary > 0) highest = Math.max(highest, (canary * 100) / (stable + canary));
  }
  if (!found) return routeProblem("no-service-backend", `${routeLabel(kind)} routes nothing to Service ${names.service} or ${names.canaryService}.`);
  return { ok: true, weight: highest };
}

function backendsOf(kind: RouteKind, rule: RouteRule): RouteBackend[] {
  const backends = rule[kind.backendsField];
  return Array.isArray(backends) ? (backends as RouteBackend[]) : [];
}

function weightOf(kind: RouteKind, backend: RouteBackend, count: number): number {
  return typeof backend.weight === "number" ? backend.weight : kind.defaultWeight(count);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
