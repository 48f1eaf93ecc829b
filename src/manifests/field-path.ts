// The line of a field named in the API server's field-path syntax, as it appears in a
// server-side-apply conflict (`details.causes[].field`) or in managedFields:
//   .name           a field or map key          [k1=v1,k2="v2"]  an associative-list item by key
//   [=value]        a set member                [3]              a list index
// Values are JSON. Map keys may contain dots (`.metadata.annotations.example.com/owner`), so a
// name that is not a key is joined with the names after it until it is one. Resolved against the
// object rather than split blindly: https://kubernetes.io/docs/reference/using-api/server-side-apply/
import type { FieldPath } from "./locate.js";
import { isPlainObject } from "./object.js";
import type { SourceObject } from "./types.js";

type Element =
  | { type: "field"; name: string }
  | { type: "key"; keys: Array<[string, unknown]> }
  | { type: "value"; value: unknown }
  | { type: "index"; index: number };

/** The line of `fieldPath` in the file, or of its nearest ancestor that the file contains. */
export function lineOfFieldPath(source: SourceObject, fieldPath: string): number {
  const elements = parseFieldPath(fieldPath);
  if (!elements) return source.position.line;
  return source.lineOf(resolve(source.object, elements));
}

/** The longest prefix of the path that exists in `root`, as keys and indexes. */
function resolve(root: unknown, elements: Element[]): FieldPath {
  const path: Array<string | number> = [];
  let node = root;
  let i = 0;
  while (i < elements.length) {
    const step = stepInto(node, elements, i);
    if (!step) break;
    path.push(step.segment);
    node = step.node;
    i = step.next;
  }
  return path;
}

interface Step {
  segment: string | number;
  node: unknown;
  /** The index of the next element: a dotted key uses up several. */
  next: number;
}

function stepInto(node: unknown, elements: Element[], i: number): Step | undefined {
  const element = elements[i];
  if (element?.type === "field") {
    if (!isPlainObject(node)) return undefined;
    let name = element.name;
    let last = i;
    while (!Object.hasOwn(node, name)) {
      const following = elements[last + 1];
      if (following?.type !== "field") return undefined;
      name = `${name}.${following.name}`;
      last += 1;
    }
    return { segment: name, node: node[name], next: last + 1 };
  }
  if (!element || !Array.isArray(node)) return undefined;
  const items: unknown[] = node;
  const index =
    element.type === "index"
      ? element.index
      : element.type === "value"
        ? items.findIndex((item) => jsonEqual(item, element.value))
        : findByKeys(items, element.keys);
  return index >= 0 && index < items.length ? { segment: index, node: items[index], next: i + 1 } : undefined;
}

function findByKeys(items: unknown[], keys: Array<[string, unknown]>): number {
  const exact = items.findIndex(
    (item) => isPlainObject(item) && keys.every(([key, value]) => jsonEqual(item[key], value)),
  );
  if (exact >= 0) return exact;
  // The server's keys include defaulted fields a manifest may leave out (a port's `protocol: TCP`).
  return items.findIndex(
    (item) =>
      isPlainObject(item) &&
      keys.some(([key]) => item[key] !== undefined) &&
      keys.every(([key, value]) => item[key] === undefined || jsonEqual(item[key], value)),
  );
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

/** The elements of a field path, or undefined when it is not one. */
function parseFieldPath(path: string): Element[] | undefined {
  const elements: Element[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === ".") {
      let end = i + 1;
      while (end < path.length && path[end] !== "." && path[end] !== "[") end += 1;
      elements.push({ type: "field", name: path.slice(i + 1, end) });
      i = end;
    } else if (path[i] === "[") {
      const bracket = parseBracket(path, i + 1);
      if (!bracket) return undefined;
      elements.push(bracket.element);
      i = bracket.end + 1;
    } else {
      return undefined;
    }
  }
  return elements;
}

/** `=value]`, `3]` or `k1=v1,k2="v2"]` starting at `start`; `end` is the index of the `]`. */
function parseBracket(path: string, start: number): { element: Element; end: number } | undefined {
  if (path[start] === "=") {
    const value = scanJson(path, start + 1);
    if (!value || path[value.end] !== "]") return undefined;
    return { element: { type: "value", value: value.value }, end: value.end };
  }
  const index = /^(\d+)\]/.exec(path.slice(start));
  if (index?.[1] !== undefined) {
    return { element: { type: "index", index: Number(index[1]) }, end: start + index[1].length };
  }
  const keys: Array<[string, unknown]> = [];
  let i = start;
  for (;;) {
    const equals = path.indexOf("=", i);
    const value = equals > i ? scanJson(path, equals + 1) : undefined;
    if (!value) return undefined;
    keys.push([path.slice(i, equals), value.value]);
    if (path[value.end] === "]") return { element: { type: "key", keys }, end: value.end };
    if (path[value.end] !== ",") return undefined;
    i = value.end + 1;
  }
}

/** The JSON value starting at `start`; `end` is the index just after it. */
function scanJson(path: string, start: number): { value: unknown; end: number } | undefined {
  let depth = 0;
  let inString = false;
  let end = start;
  for (; end < path.length; end += 1) {
    const char = path[end];
    if (inString) {
      if (char === "\\") end += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") {
      if (depth === 0) break;
      depth -= 1;
    } else if (char === "," && depth === 0) break;
  }
  try {
    return { value: JSON.parse(path.slice(start, end)) as unknown, end };
  } catch {
    return undefined;
  }
}
