// Field paths as the API server prints them in conflicts and errors (structured-merge-diff
// `fieldpath.Path.String()`): `.name` for a field or map key, `[k1=v1,k2="v2"]` for an
// associative-list item (values are JSON), `[=value]` for a set member, `[3]` for an index.
// https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/fieldpath/element.go
//
// A map key may itself contain dots (`.metadata.labels.app.kubernetes.io/name`), so a path is
// never split on `.`: it is resolved against a tree that knows the names at each level — the
// owner's managedFields `fieldsV1`, or the object itself — taking the longest name the path
// continues with. One grammar for conflicts (plan/) and for the lines of manifests (here).
import type { FieldPath } from "./locate.js";
import { isPlainObject } from "./object.js";
import type { SourceObject } from "./types.js";

export type PathSegment =
  | { kind: "field"; name: string }
  | { kind: "key"; key: Record<string, unknown> }
  | { kind: "value"; value: unknown }
  | { kind: "index"; index: number };

/** One level of a tree a path is resolved against. */
export interface PathTree {
  /** The field names or map keys present at this level. */
  fieldNames(): string[];
  /** The level below `segment`, or undefined when the tree has no such child. */
  child(segment: PathSegment): PathTree | undefined;
}

/**
 * Parses `path` against `tree`; undefined when the path does not exist in the tree or is
 * malformed. A tree is required precisely because dots alone are ambiguous.
 */
export function parseFieldPath(path: string, tree: PathTree): PathSegment[] | undefined {
  const walked = walk(path, tree);
  return walked?.complete ? walked.segments : undefined;
}

/**
 * The longest prefix of `path` that exists in `tree` (empty when not even the first segment
 * does); undefined when the path is malformed.
 */
export function resolvePathPrefix(path: string, tree: PathTree): PathSegment[] | undefined {
  return isFieldPath(path) ? walk(path, tree)?.segments : undefined;
}

/** The line of `fieldPath` in the manifest, or of its nearest ancestor the manifest has; the object's line for a malformed path. */
export function lineOfFieldPath(source: SourceObject, fieldPath: string): number {
  const segments = resolvePathPrefix(fieldPath, objectTree(source.object, { defaultedKeys: true }));
  if (segments === undefined) return source.position.line;
  return source.lineOf(keysAndIndexes(source.object, segments));
}

function walk(path: string, tree: PathTree): { segments: PathSegment[]; complete: boolean } | undefined {
  const segments: PathSegment[] = [];
  let level = tree;
  let pos = 0;
  while (pos < path.length) {
    const step = path[pos] === "." ? matchField(path, pos + 1, level) : parseBracket(path, pos);
    if (step === undefined && path[pos] !== ".") return undefined;
    const child = step && level.child(step.segment);
    if (step === undefined || child === undefined) return { segments, complete: false };
    segments.push(step.segment);
    level = child;
    pos = step.end;
  }
  return { segments, complete: true };
}

/** Whether `path` is well formed: fields of at least one character, and brackets that parse. */
function isFieldPath(path: string): boolean {
  let pos = 0;
  while (pos < path.length) {
    if (path[pos] === ".") {
      let end = pos + 1;
      while (end < path.length && path[end] !== "." && path[end] !== "[") end += 1;
      if (end === pos + 1) return false;
      pos = end;
    } else {
      const step = parseBracket(path, pos);
      if (!step) return false;
      pos = step.end;
    }
  }
  return true;
}

interface Step {
  segment: PathSegment;
  /** Where the next segment starts. */
  end: number;
}

/** The longest name at this level that the path continues with, followed by `.`, `[` or the end. */
function matchField(path: string, start: number, level: PathTree): Step | undefined {
  let best: string | undefined;
  for (const name of level.fieldNames()) {
    if (!path.startsWith(name, start)) continue;
    const next = path[start + name.length];
    if (next !== undefined && next !== "." && next !== "[") continue;
    if (best === undefined || name.length > best.length) best = name;
  }
  return best === undefined ? undefined : { segment: { kind: "field", name: best }, end: start + best.length };
}

function parseBracket(path: string, start: number): Step | undefined {
  if (path[start] !== "[") return undefined;
  if (path[start + 1] === "=") {
    const value = parseJsonAt(path, start + 2);
    if (value === undefined || path[value.end] !== "]") return undefined;
    return { segment: { kind: "value", value: value.value }, end: value.end + 1 };
  }
  const index = /^\[(\d+)\]/.exec(path.slice(start));
  if (index?.[1] !== undefined) return { segment: { kind: "index", index: Number(index[1]) }, end: start + index[0].length };
  return parseKey(path, start + 1);
}

/** `k1=v1,k2="v2"]` — key names are plain, values are JSON. */
function parseKey(path: string, start: number): Step | undefined {
  const key: Record<string, unknown> = {};
  let pos = start;
  for (;;) {
    const name = /^([^=,[\]]+)=/.exec(path.slice(pos))?.[1];
    if (name === undefined) return undefined;
    const value = parseJsonAt(path, pos + name.length + 1);
    if (value === undefined) return undefined;
    key[name] = value.value;
    const next = path[value.end];
    if (next === "]") return { segment: { kind: "key", key }, end: value.end + 1 };
    if (next !== ",") return undefined;
    pos = value.end + 1;
  }
}

/** Reads one JSON value starting at `start`, ending before a `,` or `]` outside strings and brackets. */
function parseJsonAt(text: string, start: number): { value: unknown; end: number } | undefined {
  let depth = 0;
  let pos = start;
  for (; pos < text.length; pos++) {
    const ch = text[pos];
    if (ch === '"') {
      pos = endOfString(text, pos);
      if (pos === -1) return undefined;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || (ch === "]" && depth > 0)) depth--;
    else if (depth === 0 && (ch === "," || ch === "]")) break;
  }
  try {
    return { value: JSON.parse(text.slice(start, pos)) as unknown, end: pos };
  } catch {
    return undefined;
  }
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function endOfString(text: string, start: number): number {
  for (let pos = start + 1; pos < text.length; pos++) {
    if (text[pos] === "\\") pos++;
    else if (text[pos] === '"') return pos;
  }
  return -1;
}

/**
 * A managedFields `fieldsV1` tree: `f:<name>` field, `k:<json>` list item by key, `v:<json>`
 * set member, `i:<n>` index, `.` the node itself.
 */
export function fieldsV1Tree(node: unknown): PathTree {
  const entries = isPlainObject(node) ? Object.entries(node) : [];
  return {
    fieldNames: () => entries.filter(([name]) => name.startsWith("f:")).map(([name]) => name.slice(2)),
    child: (segment) => {
      const found = entries.find(([name]) => fieldsV1Matches(name, segment));
      return found === undefined ? undefined : fieldsV1Tree(found[1]);
    },
  };
}

function fieldsV1Matches(name: string, segment: PathSegment): boolean {
  switch (segment.kind) {
    case "field":
      return name === `f:${segment.name}`;
    case "index":
      return name === `i:${segment.index}`;
    case "key":
      return name.startsWith("k:") && jsonEqual(parseJson(name.slice(2)), segment.key);
    case "value":
      return name.startsWith("v:") && jsonEqual(parseJson(name.slice(2)), segment.value);
  }
}

export interface ObjectTreeOptions {
  /**
   * Let a list item match a key whose fields the item leaves out: the server's keys include
   * defaulted fields (a port's `protocol: TCP`) that a manifest may not write. An exact match wins.
   */
  defaultedKeys?: boolean;
}

/** The object itself as a tree, for when no managedFields entry covers the path, and for manifests. */
export function objectTree(value: unknown, options: ObjectTreeOptions = {}): PathTree {
  return {
    fieldNames: () => (isPlainObject(value) ? Object.keys(value) : []),
    child: (segment) => {
      const child = childOf(value, segment, options);
      return child === undefined ? undefined : objectTree(child.value, options);
    },
  };
}

/** The value at `segments` in a plain object, or undefined when there is none. */
export function resolveFieldValue(object: unknown, segments: readonly PathSegment[]): unknown {
  let value = object;
  for (const segment of segments) {
    const child = childOf(value, segment, {});
    if (child === undefined) return undefined;
    value = child.value;
  }
  return value;
}

/** The keys and indexes that `segments` (which exist in `object`) lead through. */
function keysAndIndexes(object: unknown, segments: readonly PathSegment[]): FieldPath {
  const path: Array<string | number> = [];
  let value = object;
  for (const segment of segments) {
    const child = childOf(value, segment, { defaultedKeys: true });
    if (child === undefined) break;
    path.push(child.at);
    value = child.value;
  }
  return path;
}

/** The child at `segment`, wrapped so that a present `null` differs from a missing child. */
function childOf(value: unknown, segment: PathSegment, options: ObjectTreeOptions): { value: unknown; at: string | number } | undefined {
  if (segment.kind === "field") {
    return isPlainObject(value) && Object.hasOwn(value, segment.name) ? { value: value[segment.name], at: segment.name } : undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const items = value as unknown[];
  let at = items.findIndex((item, index) => itemMatches(item, index, segment));
  if (at === -1 && segment.kind === "key" && options.defaultedKeys) at = items.findIndex((item) => keyMatchesLeavingOutDefaults(item, segment.key));
  return at === -1 ? undefined : { value: items[at], at };
}

function itemMatches(item: unknown, index: number, segment: Exclude<PathSegment, { kind: "field" }>): boolean {
  switch (segment.kind) {
    case "index":
      return index === segment.index;
    case "value":
      return jsonEqual(item, segment.value);
    case "key":
      return isPlainObject(item) && Object.entries(segment.key).every(([name, want]) => jsonEqual(item[name], want));
  }
}

/** Every key field the item has equals the key's, and it has at least one of them. */
function keyMatchesLeavingOutDefaults(item: unknown, key: Record<string, unknown>): boolean {
  if (!isPlainObject(item)) return false;
  const entries = Object.entries(key);
  return entries.some(([name]) => item[name] !== undefined) && entries.every(([name, want]) => item[name] === undefined || jsonEqual(item[name], want));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Structural equality of JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return a === b;
}
