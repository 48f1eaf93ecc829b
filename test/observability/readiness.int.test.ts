// /readyz is ready only when the clusters the policy names and GitHub answer.
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { expect, it } from "vitest";
import { ClusterPool } from "../../src/kube/cluster-pool.js";
import { readinessCheck } from "../../src/observability/readiness.js";
import { cluster, describeWithCluster } from "../support/cluster.js";

const pool = (kubeconfig: () => KubeConfig) => new ClusterPool(kubeconfig, { retries: 0, timeoutMs: 2_000 });

describeWithCluster("readiness", () => {
  it("is ready when the cluster and GitHub answer, and says which one does not", async () => {
    const real = pool(() => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(cluster.kubeconfigPath ?? "");
      return kubeConfig;
    });
    const gone = pool(() => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(`apiVersion: v1\nkind: Config\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\ncurrent-context: gone\n`);
      return kubeConfig;
    });
    try {
      expect(await readinessCheck({ clusters: real, contexts: ["slipway-test"], github: () => Promise.resolve() })()).toEqual({ ready: true });
      const noGitHub = await readinessCheck({ clusters: real, contexts: ["slipway-test"], github: () => Promise.reject(new Error("401 Bad credentials")) })();
      expect(noGitHub).toEqual({ ready: false, reason: "GitHub does not answer the app: 401 Bad credentials" });
      const noCluster = await readinessCheck({ clusters: gone, contexts: ["gone"], github: () => Promise.resolve() })();
      expect(noCluster.ready).toBe(false);
      expect(!noCluster.ready && noCluster.reason).toMatch(/^kube context "gone" does not answer/);
    } finally {
      real.close();
      gone.close();
    }
  });
});
