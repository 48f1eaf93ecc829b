// Reading fields of objects whose shape the API server, not TypeScript, vouches for: every
// step is checked, and a missing or mistyped field reads as absent instead of throwing.
import { isPlainObject } from "./object.js";

export function fieldAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function stringAt(value: unknown, path: readonly string[]): string | undefined {
  const field = fieldAt(value, path);
  return typeof field === "string" ? field : undefined;
}

export function numberAt(value: unknown, path: readonly string[]): number | undefined {
  const field = fieldAt(value, path);
  return typeof field === "number" ? field : undefined;
}

/** The entries of a list that are objects; anything else in the list is skipped. */
export function objectsAt(value: unknown, path: readonly string[]): Array<Record<string, unknown>> {
  const field = fieldAt(value, path);
  return Array.isArray(field) ? field.filter(isPlainObject) : [];
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
