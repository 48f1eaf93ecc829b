// What an integration test needs from the shared test cluster: a client, an object store,
// a namespace of its own per test, and the kubectl built with the cluster.
import { randomBytes } from "node:crypto";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { afterAll, describe, inject, it } from "vitest";
import { KubeClient } from "../../src/kube/client.js";
import { ClusterPool } from "../../src/kube/cluster-pool.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";

export const cluster = inject("cluster");

/** The app's pool of clusters, reaching the test cluster through its kubeconfig, for tests of the app. */
export function testClusters(): ClusterPool {
  return new ClusterPool(() => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath ?? "");
    return kubeConfig;
  });
}

/** `describe` that skips, saying why once in global setup, when no cluster could be started. */
export const describeWithCluster = describe.skipIf(!cluster.available);

/**
 * `it` for tests that need kube-controller-manager, which plain envtest binaries
 * (KUBEBUILDER_ASSETS) do not include; CI builds it, so there these never skip.
 */
export const itWithControllers = it.skipIf(!cluster.controllersRun);

export interface ClusterContext {
  client: KubeClient;
  store: ObjectStore;
  kubeconfigPath: string;
  kubectl: string;
  podsBecomeReady: boolean;
  /** Creates a namespace for one test; all of them are deleted after the file. */
  namespace: (prefix?: string) => Promise<string>;
}

export function useCluster(): () => Promise<ClusterContext> {
  let context: Promise<ClusterContext> | undefined;
  const created: string[] = [];
  afterAll(async () => {
    if (!context) return;
    const { store, client } = await context;
    await Promise.all(created.map((name) => store.delete({ apiVersion: "v1", kind: "Namespace", name })));
    client.close();
  });
  return () =>
    (context ??= (async () => {
      if (!cluster.kubeconfigPath || !cluster.kubectl) throw new Error(`no test cluster: ${cluster.skipReason}`);
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(cluster.kubeconfigPath);
      const client = await KubeClient.fromKubeConfig({ kubeConfig });
      const store = new ObjectStore(client, new Discovery(client));
      return {
        client,
        store,
        kubeconfigPath: cluster.kubeconfigPath,
        kubectl: cluster.kubectl,
        podsBecomeReady: cluster.podsBecomeReady ?? false,
        namespace: async (prefix = "t") => {
          const name = `${prefix}-${randomBytes(4).toString("hex")}`;
          await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, { fieldManager: "test-setup" });
          created.push(name);
          return name;
        },
      };
    })());
}
