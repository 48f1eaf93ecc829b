// Webhooks are answered at once; the work runs here, a few jobs at a time. A redelivered
// webhook (same delivery id) is dropped, and of several jobs waiting for the same key (one pull
// request) only the newest runs.
import PQueue from "p-queue";

export interface WorkQueueOptions {
  concurrency: number;
  /** How many delivery ids to remember for de-duplication. */
  rememberDeliveries: number;
}

export class WorkQueue {
  private readonly queue: PQueue;
  private readonly deliveries = new Set<string>();
  private readonly waiting = new Map<string, symbol>();

  constructor(private readonly options: WorkQueueOptions = { concurrency: 2, rememberDeliveries: 10_000 }) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  /** False when this delivery was seen before (GitHub's redelivery keeps the id). */
  acceptDelivery(id: string): boolean {
    if (this.deliveries.has(id)) return false;
    this.deliveries.add(id);
    if (this.deliveries.size > this.options.rememberDeliveries) {
      const oldest = this.deliveries.values().next().value;
      if (oldest !== undefined) this.deliveries.delete(oldest);
    }
    return true;
  }

  /**
   * Runs `job` when a slot is free, unless a newer job for the same key was enqueued meanwhile.
   * Returns at once; `job` must handle its own errors (it is the event's error boundary).
   */
  enqueue(key: string, job: () => Promise<void>): void {
    const token = Symbol(key);
    this.waiting.set(key, token);
    void this.queue.add(async () => {
      if (this.waiting.get(key) !== token) return;
      this.waiting.delete(key);
      await job();
    });
  }

  /** Resolves when every job has run (for tests and shutdown). */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }
}
