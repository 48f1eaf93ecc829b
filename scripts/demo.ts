// `npm run demo`: Slipway's main job on this machine. Starts the local test cluster (building it
// the first time), applies the example app in fixtures/demo/v1 as Slipway, lets two other
// managers change fields Slipway owns (a manual `kubectl edit` of the image, an autoscaler
// scaling through the `scale` subresource), and prints the plan for fixtures/demo/v2: real
// diffs, real conflicts, a pruned object and a masked Secret. Without a cluster it falls back
// to an offline plan and says so.
// `npm run demo -- --canary` shows a canary instead, on the same cluster (scripts/demo-canary.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KubeConfig } from "../src/kube/kubeconfig.js";
import { developmentConfigHashKey } from "../src/config/server-security.js";
import { stampDesired } from "../src/desired/desired-state.js";
import { defineEnvironment } from "../src/config/schema.js";
import { KubeClient } from "../src/kube/client.js";
import { Discovery } from "../src/kube/discovery.js";
import { ObjectStore } from "../src/kube/objects.js";
import { parseManifestFile } from "../src/manifests/parse.js";
import type { EnvironmentPlan } from "../src/plan/types.js";
import type { ManifestFile } from "../src/manifests/manifest-file.js";
import { planEnvironment } from "../src/planning/plan-environment.js";
import { renderPlanText } from "../src/render/text.js";
import { ensureAssets } from "../test/cluster/assets.js";
import { startCluster, type TestCluster } from "../test/cluster/cluster.js";
import { runCanaryDemo } from "./demo-canary.js";

const demo = fileURLToPath(new URL("../fixtures/demo/", import.meta.url));
const namespace = "demo";
const environment = defineEnvironment({ name: "demo", paths: ["**/*.yaml"], namespace });
const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);

function manifests(version: "v1" | "v2"): ManifestFile[] {
  const dir = join(demo, version);
  return readdirSync(dir).sort().map((name) => ({ path: `fixtures/demo/${version}/${name}`, content: readFileSync(join(dir, name)) }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { canary: { type: "boolean", default: false } }, strict: true });
  let cluster: TestCluster | undefined;
  try {
    say("starting the local test cluster (the first run builds Kubernetes from source: about 8 minutes)");
    cluster = await startCluster({ assets: await ensureAssets({ log: say }), log: say });
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    // A canary needs the cluster's controllers, Prometheus and traffic: there is nothing to show offline.
    if (values.canary) throw new Error(`no local cluster (${why}); the canary demo needs one`, { cause: error });
    say(`no local cluster (${why}): planning offline instead`);
    printPlan(await planEnvironment({ environment, head: manifests("v2"), base: manifests("v1"), target: { mode: "offline" }, fieldManager: "slipway" }));
    return;
  }
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const client = await KubeClient.fromKubeConfig({ kubeConfig });
    const store = new ObjectStore(client, new Discovery(client));
    if (values.canary) {
      const ok = await runCanaryDemo({ store, say });
      client.close();
      if (!ok) process.exitCode = 1;
      return;
    }
    await prepareCluster(store);
    const plan = await planEnvironment({
      environment,
      head: manifests("v2"),
      base: manifests("v1"),
      target: { mode: "cluster", store, context: client.contextName },
      fieldManager: "slipway",
    });
    client.close();
    printPlan(plan);
  } finally {
    await cluster.stop();
  }
}

async function prepareCluster(store: ObjectStore): Promise<void> {
  await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "demo-setup" });
  say("applying fixtures/demo/v1 as Slipway (field manager `slipway`)");
  const objects = manifests("v1").flatMap((file) => parseManifestFile(file).objects.map(({ object }) => ({ ...object, metadata: { ...object.metadata, namespace } })));
  for (const body of stampDesired({ objects, environment, configHashKey: developmentConfigHashKey }).bodies.values()) await store.apply(body, { fieldManager: "slipway" });
  say("someone runs `kubectl edit` on the web image, and an autoscaler scales web to 4");
  const deployment = `/apis/apps/v1/namespaces/${namespace}/deployments/web`;
  const patch = (path: string, manager: string, body: unknown) =>
    store.client.request({ method: "PATCH", path, query: { fieldManager: manager }, contentType: "application/strategic-merge-patch+json", body });
  await patch(deployment, "kubectl-edit", { spec: { template: { spec: { containers: [{ name: "app", image: "registry.example.com/web:1.4.3-hotfix" }] } } } });
  await patch(`${deployment}/scale`, "kube-controller-manager", { spec: { replicas: 4 } });
  say("planning fixtures/demo/v2 against the cluster:\n");
}

function printPlan(plan: EnvironmentPlan): void {
  const text = renderPlanText([plan], { color: process.stdout.isTTY === true && !process.env.NO_COLOR });
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
