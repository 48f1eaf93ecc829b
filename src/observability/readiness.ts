// Ready only when the work can be done: every kube context the policy names answers (as Slipway
// itself, GET /version), and GitHub answers the app. Checked at most every few seconds, so probes
// never turn into load on either.
import type { Readiness, ReadinessCheck } from "../http/health-routes.js";
import type { Clusters } from "../kube/cluster-pool.js";

export function readinessCheck(params: { clusters: Clusters; contexts: string[]; github: () => Promise<void>; cacheMs?: number }): ReadinessCheck {
  let cached: { at: number; result: Promise<Readiness> } | undefined;
  const cacheMs = params.cacheMs ?? 5_000;
  return () => {
    if (!cached || Date.now() - cached.at > cacheMs) cached = { at: Date.now(), result: check(params) };
    return cached.result;
  };
}

async function check(params: { clusters: Clusters; contexts: string[]; github: () => Promise<void> }): Promise<Readiness> {
  for (const context of params.contexts) {
    try {
      const { store } = await params.clusters.access(context);
      await store.client.request({ method: "GET", path: "/version", retry: false });
    } catch (error) {
      return { ready: false, reason: `kube context "${context}" does not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  try {
    await params.github();
  } catch (error) {
    return { ready: false, reason: `GitHub does not answer the app: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ready: true };
}
