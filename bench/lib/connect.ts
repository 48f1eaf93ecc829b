// A fresh client, discovery and object store for one kubeconfig, as the Slipway server builds them.
import { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";

export interface Connection {
  client: KubeClient;
  store: ObjectStore;
}

export async function connect(kubeconfigPath: string): Promise<Connection> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const client = await KubeClient.fromKubeConfig({ kubeConfig });
  return { client, store: new ObjectStore(client, new Discovery(client)) };
}
