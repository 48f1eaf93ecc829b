// The traffic of `npm run bench:canary`, in a process of its own so that sending and serving
// hundreds of requests a second does not share the controller's event loop: per workload a
// stable and a canary backend (test/canary/harness/backend.ts) and a router that splits a
// steady stream between them by the workload's HTTPRoute, read from the API server.
// Started by canary-fleet.ts with a JSON argument; prints one JSON line with the scrape
// targets once everything listens; stops when its stdin closes.
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import { startBackend, type Backend } from "../../test/canary/harness/backend.js";
import type { ScrapeTarget } from "../../test/canary/harness/prometheus.js";
import { startRouter, type Router } from "../../test/canary/harness/router.js";

export interface TrafficParams {
  kubeconfigPath: string;
  namespace: string;
  workloads: string[];
  /** Requests per second per workload. */
  rate: number;
  /** How often each router reads its route. */
  pollIntervalMs: number;
}

export interface TrafficReady {
  targets: ScrapeTarget[];
}

async function main(params: TrafficParams): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(params.kubeconfigPath);
  const client = await KubeClient.fromKubeConfig({ kubeConfig });
  const store = new ObjectStore(client, new Discovery(client));
  const backends: Backend[] = [];
  const routers: Router[] = [];
  const targets: ScrapeTarget[] = [];
  const { namespace } = params;
  for (const workload of params.workloads) {
    const stable = await startBackend({ workload, namespace });
    const canary = await startBackend({ workload: `${workload}-canary`, namespace, service: `${workload}-canary` });
    backends.push(stable, canary);
    targets.push({ address: stable.address, labels: { namespace, pod: `${workload}-7d9f8-abcde` } }, { address: canary.address, labels: { namespace, pod: `${workload}-canary-7d9f8-abcde` } });
    routers.push(
      await startRouter({
        store,
        route: { kind: "HTTPRoute", namespace, name: workload },
        backends: { [workload]: stable, [`${workload}-canary`]: canary },
        rate: params.rate,
        pollIntervalMs: params.pollIntervalMs,
      }),
    );
  }
  process.stdout.write(`${JSON.stringify({ targets } satisfies TrafficReady)}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("close", resolve));
  await Promise.all(routers.map((router) => router.stop()));
  await Promise.all(backends.map((backend) => backend.stop()));
  client.close();
}

main(JSON.parse(process.argv[2] ?? "{}") as TrafficParams).catch((error: unknown) => {
  process.stderr.write(`[bench:canary traffic] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
