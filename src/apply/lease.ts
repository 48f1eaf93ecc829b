// One apply per environment across every copy of the app: a coordination.k8s.io Lease per
// environment, taken with optimistic concurrency (resourceVersion) and renewed while the apply
// runs. A holder that died is recognised by an expired lease.
// https://kubernetes.io/docs/concepts/architecture/leases/
import { randomUUID } from "node:crypto";
import { isApiError } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import type { KubeObject } from "../manifests/object.js";

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** Who holds it: unique per apply, so two applies in one process exclude each other too. */
  holder: string;
  durationSeconds: number;
  /** How long to wait for another holder before giving up. */
  waitMs: number;
  pollMs: number;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string | null;
}

export const processIdentity = `slipway-${randomUUID().slice(0, 8)}`;

export class LeaseHeldError extends Error {
  override readonly name = "LeaseHeldError";
}

/** Runs `work` while holding the lease; throws LeaseHeldError when another holder keeps it past `waitMs`. */
export async function withLease<T>(store: ObjectStore, options: LeaseOptions, work: () => Promise<T>): Promise<T> {
  await acquire(store, options);
  const renew = setInterval(() => void take(store, options).catch(() => undefined), (options.durationSeconds * 1000) / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await release(store, options).catch(() => undefined);
  }
}

async function acquire(store: ObjectStore, options: LeaseOptions): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if (await take(store, options)) return;
    if (Date.now() > deadline) {
      throw new LeaseHeldError(`another Slipway is applying (Lease ${options.namespace}/${options.name}); giving up after ${options.waitMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

/** Takes or renews the lease; false when someone else holds an unexpired one or won a race. */
async function take(store: ObjectStore, options: LeaseOptions): Promise<boolean> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  const now = new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  const spec: LeaseSpec = { holderIdentity: options.holder, leaseDurationSeconds: options.durationSeconds, acquireTime: now, renewTime: now };
  const current = await store.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: options.namespace, name: options.name });
  try {
    if (!current) {
      await store.client.request({ method: "POST", path, body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: options.name }, spec } });
      return true;
    }
    const held = current.spec as LeaseSpec | undefined;
    if (held?.holderIdentity && held.holderIdentity !== options.holder && !expired(held)) return false;
    const body: KubeObject = { ...current, spec: { ...held, ...spec, acquireTime: held?.holderIdentity === options.holder ? held.acquireTime : now } };
    // resourceVersion makes this a compare-and-swap: two takers, one winner (409 for the other).
    await store.client.request({ method: "PUT", path: `${path}/${options.name}`, body });
    return true;
  } catch (error) {
    if (isApiError(error) && (error.statusCode === 409 || error.statusCode === 422)) return false;
    throw error;
  }
}

async function release(store: ObjectStore, options: LeaseOptions): Promise<void> {
  const current = await store.get({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: options.namespace, name: options.name });
  const held = current?.spec as LeaseSpec | undefined;
  if (!current || held?.holderIdentity !== options.holder) return;
  await store.client.request({
    method: "PUT",
    path: `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases/${options.name}`,
    body: { ...current, spec: { ...held, holderIdentity: null, renewTime: null } },
  });
}

function expired(spec: LeaseSpec): boolean {
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  if (!Number.isFinite(renewed)) return true;
  return Date.now() > renewed + (spec.leaseDurationSeconds ?? 0) * 1000;
}
