// Cleanups (the test cluster, temporary files) that run when the work ends, fails or is
// interrupted with Ctrl-C or SIGTERM, newest first. On a signal the process exits 130 once
// they are done; the cluster's supervise.sh covers a SIGKILL.
export type Defer = (cleanup: () => Promise<void>) => void;

export async function withCleanup<T>(params: { log: (line: string) => void }, work: (defer: Defer) => Promise<T>): Promise<T> {
  const cleanups: Array<() => Promise<void>> = [];
  // One pass, shared: a signal during the final cleanup must wait for it, not start another.
  let cleaning: Promise<void> | undefined;
  const runCleanups = () =>
    (cleaning ??= (async () => {
      for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
        await cleanup().catch((error: unknown) => params.log(`cleanup failed: ${String(error)}`));
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    params.log(`${signal}: stopping the cluster and removing temporary files`);
    void runCleanups().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await work((cleanup) => cleanups.push(cleanup));
  } finally {
    await runCleanups();
    // Only now: Ctrl-C during the cleanup would otherwise kill the process halfway through it.
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
