// Kinds as the server's policy and .github/slipway.yml name them: `Kind` for that kind in every
// API group, or `group/Kind` for one group (`rbac.authorization.k8s.io/ClusterRole`; the core
// group is empty: `/Namespace`).
import { groupOf } from "./object.js";

export function kindMatches(pattern: string, ref: { apiVersion: string; kind: string }): boolean {
  const slash = pattern.lastIndexOf("/");
  if (slash === -1) return pattern === ref.kind;
  return pattern.slice(0, slash) === groupOf(ref.apiVersion) && pattern.slice(slash + 1) === ref.kind;
}

/** Whether every kind `inner` names is one `outer` names too: `rbac.authorization.k8s.io/ClusterRole` is within `ClusterRole`, not the reverse. */
export function kindPatternWithin(inner: string, outer: string): boolean {
  if (!outer.includes("/")) return (inner.includes("/") ? inner.slice(inner.lastIndexOf("/") + 1) : inner) === outer;
  return inner === outer;
}
