// One apply per environment across every copy of the app: a coordination.k8s.io Lease per
// environment, with client-go's leader-election semantics
// (k8s.io/client-go/tools/leaderelection/leaderelection.go):
//   - another holder's Lease counts as expired only a lease duration after this process saw its
//     record last change, by this process's monotonic clock (lease-record.ts);
//   - the holder renews every retry period and checks the result; when it cannot renew for the
//     renew deadline (shorter than the lease duration, so it stops before anyone may take over),
//     or reads another holder in the record, the Lease is lost and the work's AbortSignal fires;
//   - writes are compare-and-swap on resourceVersion: 409 means another copy won the race, while
//     422 (the API server refused the Lease itself) is an error, never "someone else holds it";
//   - a takeover counts one more leaseTransition; the holder releases the Lease when done.
// Like client-go's, this does not fence: a holder paused past the lease duration may still send
// a request or two before its renewal tells it the Lease is gone.
// https://kubernetes.io/docs/concepts/architecture/leases/
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { isAborted, isApiError, isInvalid, isNotFound, isRetryable } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import type { KubeObject } from "../manifests/object.js";
import { BoundedMap } from "../util/bounded-map.js";
import { claim, heldByAnother, observe, recordOf, type LeaseRecord, type Observation } from "./lease-record.js";
import { LeaseHeldError, LeaseLostError, type LeaseEvent, type LeaseOptions } from "./lease-types.js";

export const processIdentity = `slipway-${randomUUID().slice(0, 8)}`;

/** The Lease while the work runs. */
export interface HeldLease {
  /** Fires (with a LeaseLostError) when the Lease is lost: pass it to every request of the work. */
  signal: AbortSignal;
  /** The holder that took the Lease away, once it is lost (undefined: renewals failed). */
  lostTo(): LeaseLostError | undefined;
}

/** Runs `work` while holding the Lease; throws LeaseHeldError when another holder keeps it past `waitMs`. */
export async function withLease<T>(store: ObjectStore, options: LeaseOptions, work: (lease: HeldLease) => Promise<T>): Promise<T> {
  const elector = new LeaseElector(store, options);
  await elector.acquire();
  const renewing = elector.renewUntilDone();
  try {
    return await work({ signal: elector.lost.signal, lostTo: () => (elector.lost.signal.aborted ? (elector.lost.signal.reason as LeaseLostError) : undefined) });
  } finally {
    elector.done.abort();
    await renewing;
    await elector.release();
  }
}

/**
 * Another holder's claim on the Lease, if it still stands, by one read and no write: a job asks
 * this before it takes a slot to wait, and comes back later when it does (the sightings carry
 * what it saw to the next attempt).
 */
export async function leaseHolder(store: ObjectStore, options: LeaseOptions): Promise<string | undefined> {
  return new LeaseElector(store, options).otherHolder(AbortSignal.timeout(Math.ceil(options.renewDeadlineMs)));
}

const sightingsByCluster = new Map<string, BoundedMap<string, Observation>>();

/** This process's sightings of one cluster's Leases (a bounded memory per kube context). */
export function leaseSightings(cluster: string): Map<string, Observation> {
  let sightings = sightingsByCluster.get(cluster);
  if (!sightings) sightingsByCluster.set(cluster, (sightings = new BoundedMap(1_000)));
  return sightings;
}

const monotonicNow = () => performance.now();

class LeaseElector {
  /** Aborted when the Lease is lost. */
  readonly lost = new AbortController();
  /** Aborted when the work is done: renewing stops. */
  readonly done = new AbortController();
  private observation: Observation | undefined;
  private renewedAtMs = 0;
  private readonly path: string;
  private readonly key: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: LeaseOptions,
  ) {
    if (!(options.renewDeadlineMs < options.leaseDurationMs && options.retryPeriodMs * 1.2 < options.renewDeadlineMs)) {
      // client-go refuses the same: a holder must give up before anyone may take over.
      throw new Error("a Lease needs retryPeriod × 1.2 < renewDeadline < leaseDuration");
    }
    // Requests of the work listen to it directly too (the inventory's reads), besides the Halt.
    setMaxListeners(0, this.lost.signal);
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
    this.key = `${options.namespace}/${options.name}`;
    this.observation = options.sightings?.get(this.key);
  }

  async otherHolder(signal: AbortSignal): Promise<string | undefined> {
    const live = await this.read(signal);
    if (!live) return undefined;
    return heldByAnother(this.see(recordOf(live)), this.options.holder, monotonicNow(), this.options.leaseDurationMs);
  }

  async acquire(): Promise<void> {
    const started = monotonicNow();
    let reported: string | undefined;
    const { signal } = this.options;
    for (;;) {
      signal?.throwIfAborted();
      let failure: Error | undefined;
      try {
        const timeout = AbortSignal.timeout(Math.ceil(this.options.renewDeadlineMs));
        const outcome = await this.tryAcquireOrRenew(signal ? AbortSignal.any([timeout, signal]) : timeout);
        if (outcome === "held") {
          this.emit({ type: "acquired", holder: this.options.holder, transitions: this.observation?.record.leaseTransitions ?? 0, waitedMs: Math.round(monotonicNow() - started) });
          return;
        }
        if (outcome !== "raced" && outcome.holder !== reported) this.emit({ type: "held-by", holder: (reported = outcome.holder) });
      } catch (error) {
        signal?.throwIfAborted();
        // Refusals (422, 403) will not pass by waiting; an unreachable or overloaded server might.
        if (!isRetryable(error) && !isAborted(error)) throw error;
        failure = error as Error;
      }
      if (monotonicNow() - started >= this.options.waitMs) {
        if (failure) throw failure;
        throw new LeaseHeldError(`another Slipway (${reported ?? "unknown"}) is applying (Lease ${this.options.namespace}/${this.options.name}); gave up after ${this.options.waitMs} ms`, reported);
      }
      await delay(this.options.retryPeriodMs, signal);
    }
  }

  /** Renews every retry period until the work is done or the Lease is lost. */
  async renewUntilDone(): Promise<void> {
    const { renewDeadlineMs, retryPeriodMs } = this.options;
    while (!this.done.signal.aborted && !this.lost.signal.aborted) {
      await delay(retryPeriodMs, this.done.signal);
      if (this.done.signal.aborted) return;
      const remaining = this.renewedAtMs + renewDeadlineMs - monotonicNow();
      try {
        if (remaining <= 0) throw new Error(`no renewal succeeded within ${renewDeadlineMs} ms`);
        const outcome = await this.tryAcquireOrRenew(AbortSignal.any([AbortSignal.timeout(Math.ceil(remaining)), this.done.signal]));
        if (outcome === "held") continue;
        if (outcome !== "raced") return this.lose(outcome.holder, "its record names another holder");
        // Another copy wrote the Lease between our read and our write: the next read says who.
        this.emit({ type: "renew-failed", error: new Error("another copy wrote the Lease at the same time (409)"), sinceRenewMs: this.sinceRenewMs() });
      } catch (error) {
        if (this.done.signal.aborted) return;
        this.emit({ type: "renew-failed", error, sinceRenewMs: this.sinceRenewMs() });
        const reason = error instanceof Error ? error.message : String(error);
        // The API server refuses the Lease itself: renewing again will not change its mind.
        if (isInvalid(error)) return this.lose(undefined, `the API server refused the Lease: ${reason}`);
        if (this.sinceRenewMs() >= renewDeadlineMs) return this.lose(undefined, `no renewal succeeded for ${Math.round(this.sinceRenewMs() / 1000)} s: ${reason}`);
      }
    }
  }

  async release(): Promise<void> {
    if (this.lost.signal.aborted) return;
    try {
      const live = await this.read(AbortSignal.timeout(Math.ceil(this.options.renewDeadlineMs)));
      const holder = live ? recordOf(live).holderIdentity : undefined;
      if (holder !== this.options.holder) {
        // Taken (or deleted) since the last renewal, which had not noticed yet: nothing to release.
        this.emit({ type: "lost", holder, reason: holder ? "another holder had it when the work finished" : "it had no holder when the work finished" });
        return;
      }
      // No holder and a one-second duration, as client-go releases: the next copy takes it at once.
      const written = live && (await this.write(live, { ...recordOf(live), holderIdentity: undefined, leaseDurationSeconds: 1 }, AbortSignal.timeout(Math.ceil(this.options.renewDeadlineMs))));
      if (!written) throw new Error("another copy wrote the Lease at the same time (409)");
      this.emit({ type: "released" });
    } catch (error) {
      // The Lease then expires by itself, a lease duration after its last renewal.
      this.emit({ type: "release-failed", error });
    }
  }

  /** One read and, if the Lease is free or ours, one write. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<"held" | "raced" | { holder: string }> {
    const live = await this.read(signal);
    const durationSeconds = Math.ceil(this.options.leaseDurationMs / 1000);
    if (!live) {
      const record = { ...claim({}, this.options.holder, durationSeconds, Date.now()), leaseTransitions: 0 };
      const created = await this.create(record, signal);
      return created ? this.held(record) : "raced";
    }
    const observation = this.see(recordOf(live));
    const holder = heldByAnother(observation, this.options.holder, monotonicNow(), this.options.leaseDurationMs);
    if (holder) return { holder };
    const record = claim(observation.record, this.options.holder, durationSeconds, Date.now());
    return (await this.write(live, record, signal)) ? this.held(record) : "raced";
  }

  private held(record: LeaseRecord): "held" {
    this.renewedAtMs = this.see(record, true).atMs;
    return "held";
  }

  /** Remembers the record as read (or, `written`, as this process wrote it) now, here and in the sightings. */
  private see(record: LeaseRecord, written = false): Observation {
    const observation = written ? { record, atMs: monotonicNow() } : observe(this.observation, record, monotonicNow());
    this.observation = observation;
    this.options.sightings?.set(this.key, observation);
    return observation;
  }

  private lose(holder: string | undefined, reason: string): void {
    const error = new LeaseLostError({ namespace: this.options.namespace, name: this.options.name, holder, reason });
    this.emit({ type: "lost", holder, reason });
    this.lost.abort(error);
  }

  private sinceRenewMs(): number {
    return Math.round(monotonicNow() - this.renewedAtMs);
  }

  private async read(signal: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return (await this.store.client.request<KubeObject>({ method: "GET", path: `${this.path}/${encodeURIComponent(this.options.name)}`, retry: false, signal })).body;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** False when another copy created it first (409); 422 and the rest are errors. */
  private async create(record: LeaseRecord, signal: AbortSignal): Promise<boolean> {
    const body = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.options.name }, spec: record };
    return this.conditionally(() => this.store.client.request({ method: "POST", path: this.path, body, signal }));
  }

  /** A compare-and-swap on the resourceVersion read: false when another copy wrote in between (409). */
  private async write(live: KubeObject, record: LeaseRecord, signal: AbortSignal): Promise<boolean> {
    const body = { ...live, spec: { ...(live.spec as object), ...record, holderIdentity: record.holderIdentity ?? null } };
    return this.conditionally(() => this.store.client.request({ method: "PUT", path: `${this.path}/${encodeURIComponent(this.options.name)}`, body, retry: false, signal }));
  }

  private async conditionally(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (isApiError(error) && error.statusCode === 409) return false;
      throw error;
    }
  }

  private emit(event: LeaseEvent): void {
    this.options.onEvent?.(event);
  }
}

/** Waits `ms`, or until `signal` fires. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
