// `npm run demo -- --canary`: a canary on this machine, on the canary tests' harness: the local
// test cluster with its controllers, the Gateway API CRDs, a real Prometheus scraping every
// second, two backends standing for the stable and the canary pods, and a router sending 50
// requests a second split by the HTTPRoute's weights. Checks every second.
//   1. fixtures/demo/canary/v1 is applied: the stable Deployment/web;
//   2. v2 (a new image and config) is held back and canaried: 20 % → 50 %, each step after a
//      passed check, then promoted by an apply of the same commit;
//   3. v3 answers half its requests with 500: two failed checks roll it back, the stable pods untouched.
// Exits 1 when v2 is not promoted or v3 not rolled back.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApplyReport } from "../src/apply/types.js";
import { applyEnvironment } from "../src/apply/apply-environment.js";
import { tickCanary, type CanaryRuntime } from "../src/canary/controller.js";
import { createPrometheusClient } from "../src/canary/metrics.js";
import { canaryHoldBack } from "../src/canary/prepare.js";
import { startCanaries } from "../src/canary/start.js";
import type { CanaryState } from "../src/canary/types.js";
import { defineEnvironment } from "../src/config/schema.js";
import type { ObjectStore } from "../src/kube/objects.js";
import { ensureCanaryAssets } from "../test/cluster/canary-assets.js";
import { startBackend } from "../test/canary/harness/backend.js";
import { installCanaryCrds } from "../test/canary/harness/crds.js";
import { startPrometheus } from "../test/canary/harness/prometheus.js";
import { startRouter } from "../test/canary/harness/router.js";
import { webCanary } from "../test/canary/harness/workload.js";
import { canaryProgressLines, trendLines } from "./demo-canary-lines.js";

const fixtures = fileURLToPath(new URL("../fixtures/demo/canary/", import.meta.url));
const namespace = "demo-canary";
const environment = defineEnvironment({
  name: "demo",
  paths: ["**/*.yaml"],
  namespace,
  readinessTimeoutSeconds: 60,
  canary: [webCanary({ interval: "1s" })],
});

type Say = (line: string) => void;
const print = (line: string) => process.stdout.write(`${line}\n`);

/** Runs the demo on a started cluster; resolves with whether both canaries ended as they should. */
export async function runCanaryDemo(params: { store: ObjectStore; say: Say }): Promise<boolean> {
  const { store, say } = params;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const assets = await ensureCanaryAssets({ log: say });
    say("installing the Gateway API CRDs and starting Prometheus (scraping every second)");
    await installCanaryCrds(store, assets);
    const prometheus = await startPrometheus({ binary: assets.prometheus, scrapeIntervalSeconds: 1, log: say });
    cleanups.push(() => prometheus.stop());
    await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "demo-setup" });
    const stable = await startBackend({ workload: "web", namespace });
    const canary = await startBackend({ workload: "web-canary", namespace, service: "web-canary" });
    cleanups.push(() => stable.stop(), () => canary.stop());
    await prometheus.setTargets([
      { address: stable.address, labels: { namespace, pod: "web-7d9f8-abcde" } },
      { address: canary.address, labels: { namespace, pod: "web-canary-7d9f8-abcde" } },
    ]);

    const holdBack = canaryHoldBack({ store, environment })!;
    const apply = async (version: string, commit: string): Promise<ApplyReport> => {
      const report = await applyEnvironment({ environment, files: files(version), commit, store, context: "demo", fieldManager: "slipway", pollMs: 200, holdBack });
      if (report.outcome !== "applied") throw new Error(`the apply of fixtures/demo/canary/${version} was ${report.outcome}: ${report.message ?? ""}`);
      return report;
    };
    say("applying fixtures/demo/canary/v1 as Slipway: Deployment/web, its ConfigMap, Service and HTTPRoute");
    await apply("v1", "c0ffee1");
    const router = await startRouter({ store, route: { kind: "HTTPRoute", namespace, name: "web" }, backends: { web: stable, "web-canary": canary }, rate: 50 });
    cleanups.push(() => router.stop());
    say("traffic: 50 requests a second through the HTTPRoute\n");

    const runtime: CanaryRuntime = { store, prometheus: createPrometheusClient(prometheus.url), scrapeIntervalMs: 1_000 };
    const canaryOf = async (version: string, commit: string, title: string): Promise<CanaryState> => {
      print(`== ${title}`);
      const report = await apply(version, commit);
      const started = await startCanaries(store, report.canaries ?? [], { environment: environment.name, namespace, stateNamespace: namespace, context: "demo", repository: "acme/web", branch: "main", commit, fieldManager: "slipway" });
      const first = started[0];
      if (!first) throw new Error(`the apply of ${version} started no canary`);
      print(`  revision ${first.state.revision.slice(0, 12)}: stable Deployment/web and ConfigMap/web-config held back; Deployment/web-canary rolls it out`);
      const state = await drive(runtime, first.where, first.state, () => apply(version, commit).then(() => undefined));
      print(trendLines(state, state.config).join("\n"));
      print("");
      return state;
    };

    const good = await canaryOf("v2", "c0ffee2", "v2: a new image and config, healthy");
    // The canary's metrics are by workload (web-canary), whichever revision it runs: until a query
    // window (4 scrapes) has passed, v2's last requests would count for v3's first check.
    say("waiting for v2's requests to leave the query window (4 s)");
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    canary.setErrorRate(0.5);
    const bad = await canaryOf("v3", "c0ffee3", "v3: a new image that answers half its requests with 500");
    const ok = good.phase === "succeeded" && bad.phase === "failed";
    print(ok ? "v2 was promoted and v3 rolled back, as expected." : `expected v2 succeeded and v3 failed, got ${good.phase} and ${bad.phase}`);
    return ok;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => say(`cleanup failed: ${String(error)}`));
  }
}

/** Ticks the canary as the server does until it is final, printing what changes. */
async function drive(runtime: CanaryRuntime, where: { namespace: string; name: string }, initial: CanaryState, promote: () => Promise<void>): Promise<CanaryState> {
  let previous: CanaryState | undefined;
  for (const line of canaryProgressLines(previous, initial, Date.now())) print(line);
  previous = initial;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const result = await tickCanary(runtime, { fieldManager: "slipway", promote, pollMs: 250 }, where);
    if (result) {
      for (const line of canaryProgressLines(previous, result.state, Date.now())) print(line);
      previous = result.state;
      if (result.nextTickMs === undefined) return result.state;
    }
    if (Date.now() > deadline) throw new Error(`the canary did not finish in 120 s: ${previous.phase} at ${previous.weight} %`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(result?.nextTickMs ?? 250, 1_000)));
  }
}

function files(version: string): Array<{ path: string; content: string }> {
  const dir = join(fixtures, version);
  return readdirSync(dir).sort().map((name) => ({ path: `fixtures/demo/canary/${version}/${name}`, content: readFileSync(join(dir, name), "utf8") }));
}
