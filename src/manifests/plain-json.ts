// Kubernetes objects are JSON. This copies what the YAML library produced into plain JSON data:
// the copy shares no structure (an alias would otherwise make two fields the same JS object, and
// defaulting one would change the other), and a value JSON cannot hold (`.inf`, `.nan`) is
// reported by path instead of silently becoming null.
import type { FieldPath } from "./locate.js";

export type PlainJsonResult = { value: unknown } | { problem: { path: FieldPath; description: string } };

class NotJson extends Error {
  constructor(
    readonly path: FieldPath,
    readonly description: string,
  ) {
    super(description);
  }
}

export function toPlainJson(value: unknown): PlainJsonResult {
  try {
    return { value: copy(value, [], new Set()) };
  } catch (error) {
    if (error instanceof NotJson) return { problem: { path: error.path, description: error.description } };
    throw error;
  }
}

/** `ancestors`: the collections being copied above this value, to catch an alias that contains itself. */
function copy(value: unknown, path: FieldPath, ancestors: Set<object>): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    throw new NotJson(path, `${String(value)} (YAML .inf or .nan) is not a JSON number`);
  }
  if (typeof value === "object" && ancestors.has(value)) {
    throw new NotJson(path, "an alias here refers to a collection that contains it, which makes an endless value");
  }
  if (Array.isArray(value)) {
    return within(ancestors, value, () => value.map((item: unknown, index) => copy(item, [...path, index], ancestors)));
  }
  if (typeof value === "object" && isPlainPrototype(value)) {
    return within(ancestors, value, () => {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        // defineProperty, so that a key named "__proto__" stays a key and sets no prototype.
        const property = { value: copy(item, [...path, key], ancestors), enumerable: true, writable: true };
        Object.defineProperty(out, key, { ...property, configurable: true });
      }
      return out;
    });
  }
  // "[object Date]" → "Date"
  const type = typeof value === "object" ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
  throw new NotJson(path, `a value of type ${type} is not JSON data`);
}

function within<T>(ancestors: Set<object>, value: object, copyValue: () => T): T {
  ancestors.add(value);
  try {
    return copyValue();
  } finally {
    ancestors.delete(value);
  }
}

function isPlainPrototype(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
