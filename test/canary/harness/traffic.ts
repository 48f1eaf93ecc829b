// Steady HTTP traffic straight to backends, without a route: for tests that judge metrics, where
// what matters is that each backend serves a known number of requests per second, not the
// weights that brought them there (router.ts is for those).

export interface TrafficOptions {
  /** Base URLs (a Backend's `url`); each gets `rate` requests per second. */
  targets: Array<{ url: string }>;
  /** Requests per second per target (default 40). */
  rate?: number;
}

export interface Traffic {
  /** Requests answered so far, over all targets. */
  answered(): number;
  /** Stops sending, and waits for the requests in flight. */
  stop(): Promise<void>;
}

export function startTraffic(options: TrafficOptions): Traffic {
  const rate = options.rate ?? 40;
  const inFlight = new Set<Promise<void>>();
  let answered = 0;
  const send = (url: string) => {
    const request = fetch(`${url}/`)
      // Read the body so the connection is free for the next request; errors are the backend's answer.
      .then((response) => response.arrayBuffer())
      .then(
        () => void answered++,
        () => undefined,
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(() => {
    for (const target of options.targets) send(target.url);
  }, 1000 / rate);
  return {
    answered: () => answered,
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
