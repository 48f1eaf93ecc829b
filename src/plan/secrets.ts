// Secrets never leave Slipway: changes are reported per key (added, removed, changed,
// unchanged) and every value is replaced by a marker before anything is rendered.
// The server folds `stringData` into base64 `data` on write, and API error messages can quote
// values: https://kubernetes.io/docs/concepts/configuration/secret/#restriction-names-data and
// https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
import { isPlainObject } from "../manifests/object.js";
import type { KubeObject } from "../manifests/object.js";
import { LAST_APPLIED_ANNOTATION } from "./normalize.js";
import type { SecretKeyChange, SecretKeyState } from "./types.js";

/**
 * What every Secret value becomes. Fixed, so it says nothing about the value: not its
 * length, not a hash, not whether two values are equal.
 */
export const SECRET_MASK = "(hidden)";

/** Shorter values are left in error text: scrubbing "a" or "true" would mangle every message. */
const MIN_SCRUB_LENGTH = 4;

/** Decide from the object the server returned, not from the manifest: the server knows what it stored. */
export function isSecret(object: KubeObject): boolean {
  return object.kind === "Secret" && object.apiVersion === "v1";
}

/** Per-key state on the decoded values, sorted by key; values themselves are not returned. */
export function secretKeyChanges(live: KubeObject | undefined, desired: KubeObject): SecretKeyChange[] {
  const before = live ? decodedValues(live) : new Map<string, Buffer>();
  const after = decodedValues(desired);
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings);
  return keys.map((key) => ({ key, state: keyState(before.get(key), after.get(key)) }));
}

function keyState(before: Buffer | undefined, after: Buffer | undefined): SecretKeyState {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return before.equals(after) ? "unchanged" : "changed";
}

/**
 * The bytes of every key. `stringData` wins over `data` for the same key, as on the server,
 * which merges `stringData` into `data` on write.
 */
function decodedValues(secret: KubeObject): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (const [key, value] of entriesOf(secret.data)) values.set(key, Buffer.from(value, "base64"));
  for (const [key, value] of entriesOf(secret.stringData)) values.set(key, Buffer.from(value, "utf8"));
  return values;
}

function entriesOf(map: unknown): Array<[string, string]> {
  if (!isPlainObject(map)) return [];
  // A non-string value is invalid and the server refuses it; compare its JSON rather than crash.
  return Object.entries(map).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value) ?? ""]);
}

/**
 * The Secret as the server stores it: `stringData` folded into base64 `data`, so a manifest
 * with `stringData` and a live object with `data` compare equal.
 */
export function foldStringData(secret: KubeObject): KubeObject {
  if (!isPlainObject(secret.stringData)) return secret;
  const { stringData, ...rest } = secret;
  const data: Record<string, unknown> = isPlainObject(secret.data) ? { ...secret.data } : {};
  for (const [key, value] of entriesOf(stringData)) data[key] = Buffer.from(value, "utf8").toString("base64");
  return { ...rest, data };
}

/** A copy with every value of `data`, `stringData` and the last-applied annotation replaced. */
export function maskSecret(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  for (const field of ["data", "stringData"] as const) {
    const map = copy[field];
    if (isPlainObject(map)) copy[field] = Object.fromEntries(Object.keys(map).map((key) => [key, SECRET_MASK]));
  }
  const annotations = copy.metadata.annotations;
  if (isPlainObject(annotations) && LAST_APPLIED_ANNOTATION in annotations) annotations[LAST_APPLIED_ANNOTATION] = SECRET_MASK;
  return copy;
}

/**
 * Removes every value of the given Secrets from `text` (API error messages quote values).
 * Each value is looked for as written, decoded, re-encoded, and escaped the way Go's %q and
 * JSON quote it, longest first so that a value containing another is removed whole.
 */
export function scrubSecretValues(text: string, secrets: KubeObject[]): string {
  const needles = [...new Set(secrets.flatMap(secretValueForms))]
    .filter((needle) => needle.length >= MIN_SCRUB_LENGTH)
    .sort((a, b) => b.length - a.length);
  let scrubbed = text;
  for (const needle of needles) scrubbed = scrubbed.split(needle).join(SECRET_MASK);
  return scrubbed;
}

function secretValueForms(secret: KubeObject): string[] {
  const forms: string[] = [];
  const addPlain = (plain: string) => forms.push(plain, JSON.stringify(plain).slice(1, -1));
  for (const [, encoded] of entriesOf(secret.data)) {
    forms.push(encoded);
    const bytes = Buffer.from(encoded, "base64");
    forms.push(bytes.toString("base64"));
    const plain = bytes.toString("utf8");
    // Binary values do not survive decoding to text; their base64 forms are covered above.
    if (!plain.includes("\uFFFD")) addPlain(plain);
  }
  for (const [, plain] of entriesOf(secret.stringData)) {
    addPlain(plain);
    forms.push(Buffer.from(plain, "utf8").toString("base64"));
  }
  return forms;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
