// One client per kubeconfig context, made on first use and kept (one keep-alive agent and one
// discovery cache per cluster), for the server that plans many pull requests.
import type { KubeConfig } from "./kubeconfig.js";
import { KubeClient, type Impersonation, type KubeClientOptions } from "./client.js";
import { loadKubeConfig as loadStandardKubeConfig } from "./kubeconfig.js";
import { Discovery } from "./discovery.js";
import { ObjectStore } from "./objects.js";

export interface ClusterAccess {
  store: ObjectStore;
  context: string;
}

/** What the app needs from clusters; tests of fork handling pass one that must never be called. */
export interface Clusters {
  /** The cluster of a kubeconfig context, as `identity` when given (each repository's own, from the policy). */
  access(context: string | undefined, identity?: Impersonation): Promise<ClusterAccess>;
}

export class ClusterPool implements Clusters {
  private readonly clients = new Map<string, Promise<ClusterAccess>>();

  constructor(
    /** Loads the kubeconfig afresh for each context (standard rules: KUBECONFIG, ~/.kube/config, in-cluster). */
    private readonly loadKubeConfig: () => KubeConfig = loadStandardKubeConfig,
    private readonly options: Partial<KubeClientOptions> = {},
  ) {}

  access(context: string | undefined, identity?: Impersonation): Promise<ClusterAccess> {
    const key = JSON.stringify([context ?? "", identity?.user ?? "", identity?.groups ?? []]);
    let access = this.clients.get(key);
    if (!access) {
      access = this.connect(context, identity);
      // A failure (a context that does not exist) is not cached: the next plan tries again.
      access.catch(() => this.clients.delete(key));
      this.clients.set(key, access);
    }
    return access;
  }

  close(): void {
    for (const access of this.clients.values()) void access.then((a) => a.store.client.close(), () => undefined);
    this.clients.clear();
  }

  private async connect(context: string | undefined, identity: Impersonation | undefined): Promise<ClusterAccess> {
    const options = identity ? { ...this.options, impersonate: identity } : this.options;
    const client = await KubeClient.fromKubeConfig({ kubeConfig: this.loadKubeConfig(), context, options });
    return { store: new ObjectStore(client, new Discovery(client)), context: client.contextName };
  }
}
