// What Slipway reports about its own work, for the operator: the events the metrics count. The
// code that does the work calls an Observer it is given; `noObserver` does nothing (tests, CLI).
export interface Observer {
  plan(conclusion: "success" | "failure" | "error", durationMs: number): void;
  apply(outcome: "applied" | "failed" | "refused" | "skipped" | "interrupted" | "error", durationMs: number): void;
  jobStarted(pool: string, waitedMs: number): void;
  kubeRequest(method: string, code: number | "error"): void;
  githubRequest(method: string, code: number | "error"): void;
  leaseRenewFailed(): void;
  leaseHeld(delta: 1 | -1): void;
}

export const noObserver: Observer = {
  plan: () => undefined,
  apply: () => undefined,
  jobStarted: () => undefined,
  kubeRequest: () => undefined,
  githubRequest: () => undefined,
  leaseRenewFailed: () => undefined,
  leaseHeld: () => undefined,
};
