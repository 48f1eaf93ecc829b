// The unified diff shown for one object: normalised live object against the dry-run result,
// both as YAML with map keys sorted, so that the only differences left are the ones the
// manifest makes. Secret values are masked before anything is rendered.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import { isPlainObject } from "../manifests/object.js";
import type { KubeObject } from "../manifests/object.js";
import { normalizeForDiff, sortedCopy } from "./normalize.js";
import { yamlLines } from "./yaml-lines.js";
import { foldStringData, isSecret, maskSecret } from "./secrets.js";

/** Lines of context around each change: enough to see where in the object it is. */
const CONTEXT_LINES = 3;

export interface DiffObjectsParams {
  /** `Kind/namespace/name`; names both sides of the diff (`live/…`, `desired/…`). */
  name: string;
  /** The object in the cluster; undefined when the object would be created. */
  live: KubeObject | undefined;
  /** The dry-run result, or the manifest when planning offline. */
  desired: KubeObject;
}

/** Whether live and desired differ after normalisation, without rendering a diff (the apply needs only this). */
export function objectsDiffer(live: KubeObject | undefined, desired: KubeObject): boolean {
  if (live === undefined) return true;
  const secret = isSecret(desired) || isSecret(live);
  return !jsonEqual(prepare(live, secret), prepare(desired, secret));
}

/** A unified diff from live to desired, or "" when they do not differ after normalisation. */
export function diffObjects(params: DiffObjectsParams): string {
  const { name, live, desired } = params;
  // Either side being a Secret is enough: a value must never slip through on the other side.
  const secret = isSecret(desired) || (live !== undefined && isSecret(live));
  const liveSide = live === undefined ? undefined : prepare(live, secret);
  const desiredSide = prepare(desired, secret);
  // Most objects of a plan are unchanged: compare the data before rendering any YAML.
  if (liveSide !== undefined && jsonEqual(liveSide, desiredSide)) return "";
  const before = liveSide === undefined ? "" : toYaml(liveSide);
  const after = toYaml(desiredSide);
  if (before === after) return "";
  return createTwoFilesPatch(`live/${name}`, `desired/${name}`, before, after, undefined, undefined, {
    context: CONTEXT_LINES,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** Normalised, masked if a Secret, every map's keys sorted. */
function prepare(object: KubeObject, secret: boolean): KubeObject {
  const normalized = normalizeForDiff(object);
  return secret ? (sortedCopy(maskSecret(foldStringData(normalized))) as KubeObject) : normalized;
}

/**
 * YAML with every map's keys in alphabetical order and lists in their own order: the server
 * and the manifest order keys differently, while list order carries meaning.
 */
export function toComparableYaml(value: unknown): string {
  return toYaml(sortedCopy(value));
}

// Never folds long strings, so a one-word change stays a one-line diff; never uses aliases.
const toYaml = (sorted: unknown): string => yamlLines(sorted);

/** Equal as JSON data, for two values whose maps have their keys in the same (sorted) order. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  if (!isPlainObject(a) || !isPlainObject(b) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  const others = Object.keys(b);
  return keys.length === others.length && keys.every((key, index) => key === others[index] && jsonEqual(a[key], b[key]));
}
