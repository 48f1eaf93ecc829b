// A fingerprint of the ConfigMaps and Secrets a workload reads, written into its pod template
// so that changing one of them rolls the workload out. Only the content counts (`data`,
// `binaryData`), never metadata: the hash of a desired object and of the same object read back
// from the cluster must be equal, or every apply would roll every workload out.
//
// It is an HMAC with a key only the server holds: whoever can read a Deployment (and so its
// annotation) must not be able to test guesses of a Secret's value offline. Every replica uses
// the same key; a new key changes every hash, and so rolls every workload that reads config out
// once.
import { createHmac } from "node:crypto";
import { isPlainObject, type KubeObject } from "../manifests/object.js";
import type { ConfigKind, ConfigRefs } from "./config-refs.js";
import { compareStrings } from "../manifests/fields.js";

export type ConfigLookup = (kind: ConfigKind, name: string) => KubeObject | undefined;

/**
 * Names the encoding, so that changing it is a decision: a new encoding changes every hash,
 * and so rolls every workload out once.
 */
const ENCODING = "slipway.dev/config-hash/v2";

/** HMAC-SHA-256, hex, of a canonical encoding of the referenced objects; independent of key order. */
export function configHash(params: { refs: ConfigRefs; lookup: ConfigLookup; key: string }): string {
  const names = (list: string[]) => [...new Set(list)].sort(compareStrings);
  const entries = [
    ...names(params.refs.configMaps).map((name) => encodeEntry("ConfigMap", name, params.lookup("ConfigMap", name))),
    ...names(params.refs.secrets).map((name) => encodeEntry("Secret", name, params.lookup("Secret", name))),
  ];
  // JSON of nested arrays: unambiguous, whatever characters the keys and values hold.
  return createHmac("sha256", params.key).update(JSON.stringify([ENCODING, entries])).digest("hex");
}

function encodeEntry(kind: ConfigKind, name: string, object: KubeObject | undefined): unknown[] {
  if (object === undefined) return [kind, name, "absent"];
  const data = kind === "Secret" ? secretData(object) : textValues(object.data);
  return [kind, name, "present", sortedEntries(data), sortedEntries(base64Values(object.binaryData))];
}

/**
 * A Secret's `data` as the API server stores it: `stringData` (plain text) encoded and merged
 * in, winning over `data` for the same key. Base64 is re-encoded so that equal bytes hash
 * equally however the manifest wrapped or padded them.
 */
function secretData(secret: KubeObject): Map<string, string> {
  const data = base64Values(secret.data);
  for (const [key, value] of textValues(secret.stringData)) data.set(key, Buffer.from(value, "utf8").toString("base64"));
  return data;
}

function base64Values(map: unknown): Map<string, string> {
  const values = textValues(map);
  for (const [key, value] of values) values.set(key, Buffer.from(value, "base64").toString("base64"));
  return values;
}

function textValues(map: unknown): Map<string, string> {
  if (!isPlainObject(map)) return new Map();
  // A non-string value is invalid and the API server refuses it; hash its JSON rather than crash.
  return new Map(Object.entries(map).map(([key, value]) => [key, typeof value === "string" ? value : (JSON.stringify(value) ?? "")]));
}

function sortedEntries(values: Map<string, string>): Array<[string, string]> {
  return [...values].sort(([a], [b]) => compareStrings(a, b));
}
