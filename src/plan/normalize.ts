// Strips what the API server and controllers set, so a diff shows only what a manifest changes.
// The list and the reason for each entry follow fluxcd/pkg ssa/normalize and kubectl diff
// (https://github.com/fluxcd/pkg/tree/main/ssa): server-set metadata, status, the last-applied
// annotation (it holds Secret data in plain text), and fields controllers fill in. Pure: takes an object, returns a new one.
import { groupOf, isPlainObject } from "../manifests/object.js";
import type { KubeObject } from "../manifests/object.js";

/** Metadata the server writes on every object; a dry-run alone bumps `generation`. */
const SERVER_METADATA = ["managedFields", "resourceVersion", "generation", "uid", "selfLink", "creationTimestamp"];

/**
 * Annotations written by tools and controllers, not by the manifest. The last-applied
 * annotation also holds Secret data in plain text, so it must never reach a diff.
 */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
const NOISE_ANNOTATIONS = [LAST_APPLIED_ANNOTATION, "deployment.kubernetes.io/revision"];

/** Service fields the cluster allocates when the manifest leaves them out. */
const SERVICE_ALLOCATED = ["clusterIP", "clusterIPs", "healthCheckNodePort"];

const WEBHOOK_CONFIGURATION_KINDS = new Set(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);

/**
 * A deep copy of `object` without server-set fields, every map's keys in sorted order, ready to be
 * diffed. `status` and `managedFields` (most of a live object's bytes) are left out before copying.
 */
export function normalizeForDiff(object: KubeObject): KubeObject {
  const { status: _status, metadata, ...rest } = object;
  const { managedFields: _managedFields, ...kept } = isPlainObject(metadata) ? metadata : {};
  const copy = sortedCopy({ ...rest, metadata: kept }) as KubeObject;
  stripMetadata(copy);
  if (copy.kind === "Service" && groupOf(copy.apiVersion) === "") stripServiceAllocations(copy);
  if (WEBHOOK_CONFIGURATION_KINDS.has(copy.kind) && groupOf(copy.apiVersion) === "admissionregistration.k8s.io") {
    stripCaBundles(copy);
  }
  return copy;
}

function stripMetadata(object: KubeObject): void {
  const metadata = object.metadata;
  for (const field of SERVER_METADATA) delete metadata[field];
  if (isPlainObject(metadata.annotations)) {
    for (const annotation of NOISE_ANNOTATIONS) delete metadata.annotations[annotation];
  }
  // An empty map and a missing one mean the same to the server; drop both so they compare equal.
  for (const field of ["annotations", "labels"] as const) {
    const map = metadata[field];
    if (map !== undefined && (!isPlainObject(map) || Object.keys(map).length === 0)) delete metadata[field];
  }
}

function stripServiceAllocations(service: KubeObject): void {
  if (!isPlainObject(service.spec)) return;
  for (const field of SERVICE_ALLOCATED) delete service.spec[field];
}

/** cert-manager's cainjector and similar controllers fill `caBundle` in after the apply. */
function stripCaBundles(configuration: KubeObject): void {
  if (!Array.isArray(configuration.webhooks)) return;
  for (const webhook of configuration.webhooks as unknown[]) {
    if (isPlainObject(webhook) && isPlainObject(webhook.clientConfig)) delete webhook.clientConfig.caBundle;
  }
}

/**
 * A deep copy of JSON data with every map's keys sorted (by UTF-16 code units, as the server's
 * and the manifest's orders differ) and lists in their own order.
 */
export function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // JSON.parse makes "__proto__" an ordinary key; an assignment would set the copy's prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: sortedCopy(value[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = sortedCopy(value[key]);
  }
  return copy;
}
