// The API server going away in the middle of an apply: a control plane of this file's own, whose
// kube-apiserver is really stopped after some objects were applied and started again afterwards.
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyEnvironment } from "../../src/apply/apply-environment.js";
import { defineEnvironment } from "../../src/config/schema.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore, type ApplyOptions, type CallOptions } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { ensureAssets } from "../cluster/assets.js";
import { startCluster, type TestCluster } from "../cluster/cluster.js";
import { describeWithCluster } from "../support/cluster.js";

/** Stops the API server once `after` real (not dry-run) applies have been sent. */
class OutageStore extends ObjectStore {
  applied = 0;
  constructor(
    client: KubeClient,
    private readonly outage: { after: number; stop: () => Promise<void> } | undefined,
  ) {
    super(client, new Discovery(client));
  }
  override async apply(object: KubeObject, options: Partial<ApplyOptions> & CallOptions = {}): Promise<KubeObject> {
    // Counts the manifests' objects only, not the inventory Slipway writes before them.
    if (!options.dryRun && object.metadata.name?.startsWith("cm-") && this.outage && ++this.applied === this.outage.after) await this.outage.stop();
    return super.apply(object, options);
  }
}

const files = Array.from({ length: 40 }, (_, index) => ({
  path: `cm-${index}.yaml`,
  content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${String(index).padStart(2, "0")}\ndata:\n  index: "${index}"\n`,
}));

describeWithCluster("an API server that fails mid-apply", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ assets: await ensureAssets(), controllers: false });
  }, 120_000);
  afterAll(async () => cluster?.stop());

  async function store(outage?: { after: number; stop: () => Promise<void> }) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const client = await KubeClient.fromKubeConfig({ kubeConfig, options: { retries: 2, retryBaseMs: 100, timeoutMs: 5_000 } });
    return new OutageStore(client, outage);
  }

  it("stops at the first failure, reports what was applied, failed and not attempted, and the next run converges", async () => {
    const environment = defineEnvironment({ name: "outage", paths: ["**"], namespace: "default" });
    const failing = await store({ after: 10, stop: () => cluster.stopApiserver() });
    // One holder for both runs: a new holder would wait out the Lease the broken run could not release.
    const params = { environment, files, commit: "c1", context: "test", fieldManager: "slipway", concurrency: 1, lease: { waitMs: 5_000, holder: "outage-test" } };

    const started = Date.now();
    const broken = await applyEnvironment({ ...params, store: failing });
    const stoppedAfterMs = Date.now() - started;

    expect(broken.outcome).toBe("failed");
    const created = broken.objects.filter((object) => object.action === "created");
    const failed = broken.objects.filter((object) => object.action === "failed");
    const notAttempted = broken.objects.filter((object) => object.action === "not-attempted");
    // The 10th apply met the stopped API server; after its retries nothing more was sent.
    expect(created).toHaveLength(9);
    expect(failed).toHaveLength(1);
    expect(notAttempted).toHaveLength(30);
    expect(failed[0]?.message).toMatch(/Not applied/);
    expect(notAttempted[0]?.message).toMatch(/Not attempted: the apply stopped \(the cluster failed: .*\)/);
    expect(broken.message).toMatch(/1 failed .*30 not attempted/);
    // Two retries of one request, not of 31: seconds, not minutes.
    expect(stoppedAfterMs).toBeLessThan(30_000);
    failing.client.close();

    await cluster.startApiserver();
    const healthy = await store();
    const converged = await applyEnvironment({ ...params, commit: "c2", store: healthy, lease: { ...params.lease, waitMs: 90_000 } });
    healthy.client.close();

    expect(converged.outcome).toBe("applied");
    const actions = new Map(converged.objects.map((object) => [object.name, object.action]));
    for (const object of created) expect(actions.get(object.name)).toBe("unchanged");
    for (const object of [...failed, ...notAttempted]) expect(actions.get(object.name)).toBe("created");
  });
});
