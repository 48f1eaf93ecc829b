// How an apply stops. The first failure of the cluster rather than of one object (unreachable
// after retries, 5xx after retries, credentials refused, an RBAC denial), or the loss of the
// apply's Lease, stops every request still to be sent and cancels those in flight, as Flux stops
// its staged apply at the first error; what was not sent is reported as not attempted. A conflict
// or a 422 for one object fails that object only. One Halt per apply.
import { setMaxListeners } from "node:events";
import { isAborted, isClusterFailure } from "../kube/errors.js";

export class Halt {
  private readonly own = new AbortController();
  /** Fires on the first hard failure, or when the parent (the Lease's) fires: pass it to every request. */
  readonly signal: AbortSignal;

  constructor(parent?: AbortSignal) {
    this.signal = parent ? AbortSignal.any([parent, this.own.signal]) : this.own.signal;
    // Every request in flight listens to it (32 at a time by default, and readiness polls): past
    // Node's default of 10 listeners it would warn of a leak that is not one.
    setMaxListeners(0, this.signal);
  }

  get halted(): boolean {
    return this.signal.aborted;
  }

  /** Why the apply stopped, in words: the Lease's loss, or the failure that stopped it. */
  get reason(): string {
    const reason: unknown = this.signal.reason;
    return reason instanceof Error ? reason.message : "stopped";
  }

  /** Stops the apply when `error` is a failure of the cluster, not of one object. */
  stopOn(error: unknown): void {
    if (this.halted || !isClusterFailure(error) || isAborted(error)) return;
    this.own.abort(new Error(`the cluster failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
