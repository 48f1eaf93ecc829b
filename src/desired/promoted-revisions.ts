// The revisions a canaried stable Deployment ran with all traffic, newest first, kept on the
// Deployment itself (annotation `slipway.dev/promoted`), so the list lives in the cluster beside
// what it is about and survives a restart, a lost canary state and a new server. A merge whose
// revision is on the list is a revert: it goes back to something that served everyone recently, so
// it is promoted at once, without a canary (issue 7).
import { isPlainObject, type KubeObject } from "../manifests/object.js";

/** On a canaried stable Deployment: `[{"revision":"…","at":"<RFC 3339>"}, …]`, newest first. */
export const promotedAnnotation = "slipway.dev/promoted";

/** How many revisions are remembered: reverts go back a few merges, not to last year's. */
export const PROMOTED_HISTORY = 5;

export interface PromotedRevision {
  revision: string;
  /** When the stable Deployment took it (the apply that sent it), RFC 3339. */
  at: string;
}

/** The list on a Deployment; an annotation someone broke by hand reads as none, never as an error. */
export function promotedRevisions(deployment: KubeObject | undefined): PromotedRevision[] {
  const text = deployment?.metadata.annotations?.[promotedAnnotation];
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((entry): entry is PromotedRevision => isPlainObject(entry) && typeof entry.revision === "string" && entry.revision !== "" && typeof entry.at === "string" && Number.isFinite(Date.parse(entry.at)))
    .map(({ revision, at }) => ({ revision, at }))
    .slice(0, PROMOTED_HISTORY);
}

/** The list with `revision` taken at `at` put first (once), cut to PROMOTED_HISTORY. */
export function rememberPromoted(list: readonly PromotedRevision[], revision: string, at: string): PromotedRevision[] {
  return [{ revision, at }, ...list.filter((entry) => entry.revision !== revision)].slice(0, PROMOTED_HISTORY);
}

/** The entry for `revision`, when it ran with all traffic recently. */
export function findPromoted(list: readonly PromotedRevision[], revision: string): PromotedRevision | undefined {
  return list.find((entry) => entry.revision === revision);
}

/** The annotation's value for a list. */
export const formatPromoted = (list: readonly PromotedRevision[]): string => JSON.stringify(list);
