// How fast Slipway writes to GitHub, per installation. GitHub asks integrations that make "a large
// number" of POST, PATCH, PUT or DELETE requests to wait at least a second between them, and
// counts content-creating requests against a secondary limit of 80 a minute
// (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api,
// https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
// Probot's throttling (@octokit/plugin-throttling) starts every write at least a second after the
// previous one, so an apply's first five writes (check run, deployment, its status, the check
// run's completion, the outcome's status) took four seconds before any of them waited on GitHub
// (issue 12). This keeps the same rate over time, one write a second per installation, shared by
// all its jobs as GitHub's limits are, but lets a few go at once after a quiet spell: a token
// bucket of `burst` writes, refilled one per `intervalMs`. Each write still waits its turn.
export interface WritePacingOptions {
  /** Writes that may go at once after a quiet spell (default 5). */
  burst?: number;
  /** One more write is allowed per interval (default 1,000 ms). */
  intervalMs?: number;
  now?: () => number;
}

/** What @octokit/plugin-throttling asks of its `write` limiter group: one limiter per installation id. */
export interface WritePacing {
  key(id: string): WriteLimiter;
}

export interface WriteLimiter {
  /** Runs `task` once a write is allowed; a `weight` of 0 (the plugin's retries) spends none. */
  schedule<T>(options: { weight?: number }, task: () => T | Promise<T>): Promise<T>;
}

export const defaultWritePacing = { burst: 5, intervalMs: 1000 } as const;

export function createWritePacing(options: WritePacingOptions = {}): WritePacing {
  const burst = options.burst ?? defaultWritePacing.burst;
  const intervalMs = options.intervalMs ?? defaultWritePacing.intervalMs;
  const now = options.now ?? Date.now;
  const limiters = new Map<string, WriteLimiter>();
  return {
    key: (id) => {
      let limiter = limiters.get(id);
      if (!limiter) {
        limiter = tokenBucket({ burst, intervalMs, now });
        limiters.set(id, limiter);
      }
      return limiter;
    },
  };
}

function tokenBucket(params: { burst: number; intervalMs: number; now: () => number }): WriteLimiter {
  const waiting: Array<{ weight: number; start: () => void }> = [];
  let tokens = params.burst;
  let refilledAt = params.now();
  let timer: NodeJS.Timeout | undefined;

  const refill = () => {
    const now = params.now();
    tokens = Math.min(params.burst, tokens + (now - refilledAt) / params.intervalMs);
    refilledAt = now;
  };
  // First come, first served: a write never overtakes one that waits.
  const pump = () => {
    timer = undefined;
    refill();
    for (let next = waiting[0]; next && tokens >= next.weight; next = waiting[0]) {
      waiting.shift();
      tokens -= next.weight;
      next.start();
    }
    const next = waiting[0];
    if (next) timer = setTimeout(pump, Math.ceil((next.weight - tokens) * params.intervalMs));
  };

  return {
    schedule: (options, task) =>
      new Promise((resolve, reject) => {
        waiting.push({ weight: options.weight ?? 1, start: () => void Promise.resolve().then(task).then(resolve, reject) });
        if (timer === undefined) pump();
      }),
  };
}
