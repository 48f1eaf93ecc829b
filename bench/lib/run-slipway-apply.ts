// One timed Slipway apply: a fresh client, discovery and store (so discovery is in the time,
// as it is for kubectl), the manifests read from disk, and applyEnvironment against the cluster.
import { applyEnvironment } from "../../src/apply/apply-environment.js";
import type { ApplyReport } from "../../src/apply/types.js";
import { defineEnvironment } from "../../src/config/schema.js";
import { connect } from "./connect.js";
import { countRequests, measureRss, type RequestTally, type RssPeak } from "./measure.js";
import { benchEnvironment } from "./apps.js";
import { readManifests } from "./manifest-files.js";
import { fieldManager } from "./seed-namespace.js";

export interface SlipwayApplyRun {
  seconds: number;
  rss: RssPeak;
  report: ApplyReport;
  requests: RequestTally;
}

export async function runSlipwayApply(params: { kubeconfigPath: string; namespace: string; dir: string; commit: string }): Promise<SlipwayApplyRun> {
  // No controllers run, so no Deployment would ever become ready; kubectl apply does not wait either.
  // The inventory and Lease go into the namespace itself, as generateApps stamped the ApplySet id.
  const environment = defineEnvironment({
    name: benchEnvironment,
    paths: ["**/*.yaml"],
    namespace: params.namespace,
    inventoryNamespace: params.namespace,
    readinessTimeoutSeconds: 0,
  });
  const { result, rss } = await measureRss(async () => {
    const started = performance.now();
    const { client, store } = await connect(params.kubeconfigPath);
    const requests = countRequests(client, started);
    try {
      const files = await readManifests(params.dir);
      const report = await applyEnvironment({ environment, files, commit: params.commit, store, context: client.contextName, fieldManager });
      return { report, requests, seconds: (performance.now() - started) / 1000 };
    } finally {
      client.close();
    }
  });
  return { ...result, rss };
}
