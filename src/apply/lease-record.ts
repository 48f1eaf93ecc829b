// The record a coordination.k8s.io Lease holds, and how one copy of Slipway judges another's:
// as client-go's leader election does (k8s.io/client-go/tools/leaderelection/leaderelection.go),
// only by when *this* process saw the record change, never by the timestamps in it, which another
// host's clock wrote. So clock skew between hosts cannot make a live holder's Lease look expired.
// https://kubernetes.io/docs/concepts/architecture/leases/
import { isPlainObject, type KubeObject } from "../manifests/object.js";

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  /** How many times the Lease changed hands; a takeover counts one more. */
  leaseTransitions?: number;
}

/** What this process last saw of a Lease, and when by its own monotonic clock. */
export interface Observation {
  record: LeaseRecord;
  atMs: number;
}

export function recordOf(lease: KubeObject | undefined): LeaseRecord {
  const spec = isPlainObject(lease?.spec) ? lease.spec : {};
  return {
    ...(typeof spec.holderIdentity === "string" && spec.holderIdentity !== "" ? { holderIdentity: spec.holderIdentity } : {}),
    ...(typeof spec.leaseDurationSeconds === "number" ? { leaseDurationSeconds: spec.leaseDurationSeconds } : {}),
    ...(typeof spec.acquireTime === "string" ? { acquireTime: spec.acquireTime } : {}),
    ...(typeof spec.renewTime === "string" ? { renewTime: spec.renewTime } : {}),
    ...(typeof spec.leaseTransitions === "number" ? { leaseTransitions: spec.leaseTransitions } : {}),
  };
}

/** The observation after reading `record` at `nowMs`: its time moves only when the record changed. */
export function observe(previous: Observation | undefined, record: LeaseRecord, nowMs: number): Observation {
  return previous && sameRecord(previous.record, record) ? previous : { record, atMs: nowMs };
}

/**
 * Whether another holder's claim still stands: it renews within its lease duration, so until
 * that long after this process last saw the record change, the holder is presumed alive.
 */
export function heldByAnother(observation: Observation, self: string, nowMs: number, defaultDurationMs: number): string | undefined {
  const { holderIdentity, leaseDurationSeconds } = observation.record;
  if (!holderIdentity || holderIdentity === self) return undefined;
  const durationMs = leaseDurationSeconds !== undefined ? leaseDurationSeconds * 1000 : defaultDurationMs;
  return observation.atMs + durationMs > nowMs ? holderIdentity : undefined;
}

/** The record that takes (or, for its holder, renews) the Lease. */
export function claim(current: LeaseRecord, self: string, durationSeconds: number, wallNowMs: number): LeaseRecord {
  const now = microTime(wallNowMs);
  const renewing = current.holderIdentity === self;
  return {
    holderIdentity: self,
    leaseDurationSeconds: durationSeconds,
    acquireTime: renewing ? (current.acquireTime ?? now) : now,
    renewTime: now,
    leaseTransitions: renewing ? (current.leaseTransitions ?? 0) : (current.leaseTransitions ?? 0) + 1,
  };
}

/** Lease times are MicroTime: RFC 3339 with six fractional digits. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
