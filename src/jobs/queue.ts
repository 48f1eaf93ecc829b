// Webhooks are answered at once; the work runs here.
// - Pools: plans and applies do not share slots, so an apply waiting for readiness never delays
//   a pull request's plan.
// - Keys: work for one key (a pull request, an environment) runs one at a time; while one runs,
//   later work for the key waits as one entry, whose payload each newcomer merges into (the
//   newest plan of a pull request; every pushed commit of an environment, of which the apply
//   picks its branch's head).
// - Fair share: of the runnable entries, the one whose installation was served least recently
//   runs first, so one installation's burst cannot starve the others.
// - Shutdown: no new work; running jobs get a deadline, then their AbortSignal fires.
// Delivery ids are remembered (bounded) so a redelivered webhook is dropped.

export type PoolName = "plan" | "apply" | "canary";

export interface JobSpec<T> {
  pool: PoolName;
  /** One job per key at a time. */
  key: string;
  /** Who the work is for (the GitHub installation), for fair sharing. */
  owner: string;
  payload: T;
  /** How a newer request for a waiting key combines with the one waiting (default: it replaces it). */
  merge?: (waiting: T, incoming: T) => T;
  /** The work; it is its own error boundary. `signal` aborts at shutdown past the deadline. */
  run: (payload: T, signal: AbortSignal) => Promise<void>;
}

export interface WorkQueueOptions {
  /** Jobs in flight per pool. */
  concurrency: Record<PoolName, number>;
  /** How many delivery ids to remember for de-duplication. */
  rememberDeliveries: number;
  /** Told when each job starts and how long it waited (metrics). */
  onStart?: (pool: PoolName, waitedMs: number) => void;
}

export const defaultWorkQueueOptions: WorkQueueOptions = {
  // A canary's tick is a few requests and little CPU (50 canaries used 7 % of a core), and
  // canaries started together come due together: 4 slots made 50 due checks wait up to 4.7 s.
  // 8 ticks send at most 24 requests at once, within the Kubernetes client's 32 sockets and
  // near Prometheus's default 20 concurrent queries (bench/results/canary.md).
  concurrency: { plan: 2, apply: 2, canary: 8 },
  rememberDeliveries: 10_000,
};

interface Entry {
  spec: JobSpec<unknown>;
  enqueuedAt: number;
}

/** What the queue is doing, for metrics and readiness. */
export interface PoolStats {
  waiting: number;
  running: number;
  /** Milliseconds the last job started had waited. */
  lastWaitMs: number;
}

export class WorkQueue {
  private readonly options: WorkQueueOptions;
  private readonly deliveries = new Set<string>();
  private readonly waiting = new Map<string, Entry>();
  private readonly running = new Map<string, { pool: PoolName; controller: AbortController; done: Promise<void> }>();
  private readonly lastServed = new Map<string, number>();
  private readonly lastWaitMs = new Map<PoolName, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private tick = 0;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: Partial<WorkQueueOptions> = {}) {
    this.options = { ...defaultWorkQueueOptions, ...options, concurrency: { ...defaultWorkQueueOptions.concurrency, ...options.concurrency } };
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

  /** Queues the work; false once shutting down (the caller leaves recovery to the next start). */
  enqueue<T>(spec: JobSpec<T>): boolean {
    if (this.stopping) return false;
    const id = entryId(spec);
    const existing = this.waiting.get(id);
    const payload = existing && spec.merge ? spec.merge(existing.spec.payload as T, spec.payload) : spec.payload;
    this.waiting.set(id, { spec: { ...spec, payload } as JobSpec<unknown>, enqueuedAt: existing?.enqueuedAt ?? Date.now() });
    this.pump();
    return true;
  }

  /** Queues the work after a delay (a Lease another replica holds, say), without holding a slot meanwhile. */
  enqueueLater<T>(delayMs: number, spec: JobSpec<T>): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(spec);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  stats(pool: PoolName): PoolStats {
    const waiting = [...this.waiting.values()].filter((entry) => entry.spec.pool === pool).length;
    const running = [...this.running.values()].filter((job) => job.pool === pool).length;
    return { waiting, running, lastWaitMs: this.lastWaitMs.get(pool) ?? 0 };
  }

  /** Resolves when nothing waits and nothing runs (for tests). */
  onIdle(): Promise<void> {
    if (this.waiting.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Takes no new work and drops what waits (recovered at the next start: applies by the
   * reconcile, plans by their next push or re-run); running jobs may finish within `deadlineMs`,
   * then their AbortSignal fires and they stop at their next safe point. Resolves when all stopped.
   */
  async shutdown(params: { deadlineMs: number }): Promise<{ dropped: number; aborted: number }> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const dropped = this.waiting.size;
    this.waiting.clear();
    const jobs = [...this.running.values()];
    let aborted = 0;
    const deadline = setTimeout(() => {
      for (const job of this.running.values()) {
        aborted += 1;
        job.controller.abort(new Error("the Slipway server is shutting down"));
      }
    }, params.deadlineMs);
    await Promise.all(jobs.map((job) => job.done));
    clearTimeout(deadline);
    return { dropped, aborted };
  }

  private pump(): void {
    for (;;) {
      const next = this.pickNext();
      if (!next) break;
      this.start(next);
    }
    if (this.waiting.size === 0 && this.running.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** The runnable entry (its pool has a free slot, its key is not running) whose owner was served least recently. */
  private pickNext(): [string, Entry] | undefined {
    let best: [string, Entry] | undefined;
    for (const [id, entry] of this.waiting) {
      const { pool } = entry.spec;
      if (this.running.has(id) || this.stats(pool).running >= this.options.concurrency[pool]) continue;
      const served = this.lastServed.get(entry.spec.owner) ?? -1;
      if (!best || served < (this.lastServed.get(best[1].spec.owner) ?? -1)) best = [id, entry];
    }
    return best;
  }

  private start([id, entry]: [string, Entry]): void {
    this.waiting.delete(id);
    this.lastServed.set(entry.spec.owner, ++this.tick);
    this.lastWaitMs.set(entry.spec.pool, Date.now() - entry.enqueuedAt);
    this.options.onStart?.(entry.spec.pool, Date.now() - entry.enqueuedAt);
    const controller = new AbortController();
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    // Registered before the job starts, so a job that fails at once is still seen finishing.
    this.running.set(id, { pool: entry.spec.pool, controller, done });
    void (async () => {
      try {
        await entry.spec.run(entry.spec.payload, controller.signal);
      } catch {
        // A job is its own error boundary; nothing it throws may stop the queue.
      } finally {
        this.running.delete(id);
        finished();
        this.pump();
      }
    })();
  }
}

const entryId = (spec: Pick<JobSpec<unknown>, "pool" | "key">): string => `${spec.pool}:${spec.key}`;
