// What a Lease is configured with, what it tells observers, and how it fails.
import type { Observation } from "./lease-record.js";

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** Who holds it: unique per apply, so two applies in one process exclude each other too. */
  holder: string;
  /** How long a holder's claim stands after another copy last saw it change (client-go's LeaseDuration). */
  leaseDurationMs: number;
  /** How long the holder keeps failing to renew before it gives the Lease up (client-go's RenewDeadline). */
  renewDeadlineMs: number;
  /** How often the holder renews, and a waiting copy tries again (client-go's RetryPeriod). */
  retryPeriodMs: number;
  /** How long to wait for another holder before giving up. */
  waitMs: number;
  /** Told what happens to the Lease: data for logs and metrics (holders, renew failures, losses). */
  onEvent?: (event: LeaseEvent) => void;
  /** Stops waiting for another holder when it fires (the server shuts down): acquire throws its reason. */
  signal?: AbortSignal;
  /**
   * What this process saw of the cluster's Leases, by `namespace/name` (leaseSightings): shared by
   * every attempt, so a job that gives up waiting and comes back later still judges another
   * holder's expiry from when this process first saw its record unchanged.
   */
  sightings?: Map<string, Observation>;
}

/** Slipway's defaults: the 60 s Lease the README promises, renewed every 5 s, given up after 40 s without renewal. */
export const defaultLeaseTiming: Pick<LeaseOptions, "leaseDurationMs" | "renewDeadlineMs" | "retryPeriodMs"> = {
  leaseDurationMs: 60_000,
  renewDeadlineMs: 40_000,
  retryPeriodMs: 5_000,
};

export type LeaseEvent =
  /** This process took the Lease, after waiting `waitedMs`; `transitions` counts the hand-overs so far. */
  | { type: "acquired"; holder: string; transitions: number; waitedMs: number }
  /** While waiting: who holds the Lease (reported when it changes). */
  | { type: "held-by"; holder: string }
  /** A renewal failed; the Lease is lost once `sinceRenewMs` passes the renew deadline. */
  | { type: "renew-failed"; error: unknown; sinceRenewMs: number }
  /** The Lease is gone: to `holder`, or (undefined) because renewals failed. Work still running is aborted. */
  | { type: "lost"; holder: string | undefined; reason: string }
  | { type: "released" }
  /** The Lease could not be released; it expires by itself a lease duration after its last renewal. */
  | { type: "release-failed"; error: unknown };

export class LeaseHeldError extends Error {
  override readonly name = "LeaseHeldError";
  /** Who holds it, when known. */
  readonly holder: string | undefined;
  constructor(message: string, holder?: string) {
    super(message);
    this.holder = holder;
  }
}

/** The reason of a lost Lease's AbortSignal. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  readonly holder: string | undefined;
  constructor(params: { namespace: string; name: string; holder: string | undefined; reason: string }) {
    super(`the Lease ${params.namespace}/${params.name} was lost${params.holder ? ` to ${params.holder}` : ""} (${params.reason})`);
    this.holder = params.holder;
  }
}

/** One line for a log: what happened to the Lease. */
export function describeLeaseEvent(event: LeaseEvent): string {
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
  switch (event.type) {
    case "acquired":
      return `acquired by ${event.holder} after ${event.waitedMs} ms (${event.transitions} transitions)`;
    case "held-by":
      return `held by ${event.holder}; waiting`;
    case "renew-failed":
      return `renewal failed ${event.sinceRenewMs} ms after the last one: ${reason(event.error)}`;
    case "lost":
      return `lost${event.holder ? ` to ${event.holder}` : ""}: ${event.reason}`;
    case "released":
      return "released";
    case "release-failed":
      return `could not be released (it expires by itself): ${reason(event.error)}`;
  }
}
