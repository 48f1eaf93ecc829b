// One run of `npm run bench:canary` on a started cluster:
//   1. the Gateway API CRDs and a real Prometheus, scraping every `scrapeIntervalMs`;
//   2. N workloads applied, then traffic from a process of its own (canary-traffic.ts), scraped;
//   3. every image changed: the apply decides N canaries, which the server's CanaryService starts
//      and ticks on a WorkQueue with the server's default pools, as the repository's identity
//      through a Kubernetes client of its own, reporting to a counting fake GitHub;
//   4. `seconds` later the queue is shut down, and the canaries' states read back.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadavg } from "node:os";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { listCanaryStates } from "../../src/canary/state-store.js";
import type { CanaryState } from "../../src/canary/types.js";
import { developmentPolicy } from "../../src/config/policy.js";
import { CanaryService } from "../../src/github/canary.js";
import { KubeClient } from "../../src/kube/client.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import type { CanaryAssets } from "../../test/cluster/canary-assets.js";
import { installCanaryCrds } from "../../test/canary/harness/crds.js";
import { startPrometheus } from "../../test/canary/harness/prometheus.js";
import { applyFleet, fleetEnvironment, startFleetTraffic, workloadName } from "./canary-fleet.js";
import { countingGitHub, countKubeRequests, countPrometheusQueries, MeasuredQueue, type GitHubRequest, type TickRecord } from "./canary-measure.js";

export interface CanaryBenchOptions {
  canaries: number;
  intervalSeconds: number;
  /** How long the canaries run once started. */
  seconds: number;
  /** Requests per second per workload. */
  rate: number;
  scrapeIntervalSeconds: number;
}

export interface CanaryBenchResult {
  options: CanaryBenchOptions;
  states: CanaryState[];
  ticks: TickRecord[];
  /** Milliseconds since the canaries were started, when the run ended. */
  measuredMs: number;
  startedAt: number;
  prometheusLatenciesMs: number[];
  kubeRequestsByKind: Map<string, number>;
  github: GitHubRequest[];
  promotions: number;
  warnings: string[];
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** This process's CPU time over the run, in % of one core. */
  cpuPercent: number;
  loadAverage: { before: number; after: number };
}

type Log = (line: string) => void;

export async function runCanaryBench(params: { options: CanaryBenchOptions; kubeconfigPath: string; assets: CanaryAssets; log: Log; defer: (cleanup: () => Promise<void>) => void }): Promise<CanaryBenchResult> {
  const { options, log, defer } = params;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(params.kubeconfigPath);
  const setupClient = await KubeClient.fromKubeConfig({ kubeConfig });
  defer(() => Promise.resolve(setupClient.close()));
  const setup = new ObjectStore(setupClient, new Discovery(setupClient));

  log("installing the Gateway API CRDs; starting Prometheus");
  await installCanaryCrds(setup, params.assets);
  const prometheus = await startPrometheus({ binary: params.assets.prometheus, scrapeIntervalSeconds: options.scrapeIntervalSeconds, log });
  defer(() => prometheus.stop());

  const namespace = "bench-canary";
  await setup.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "bench" });
  const environment = fleetEnvironment({ canaries: options.canaries, namespace, interval: `${options.intervalSeconds}s` });
  log(`applying ${options.canaries} workloads (Deployment, ConfigMap, Service, HTTPRoute each)`);
  await applyFleet({ store: setup, environment, canaries: options.canaries, image: "1", commit: "c1" });

  log(`traffic: ${options.rate} requests a second per workload, from a process of its own`);
  const workloads = Array.from({ length: options.canaries }, (_, index) => workloadName(index));
  const traffic = await startFleetTraffic({ kubeconfigPath: params.kubeconfigPath, namespace, workloads, rate: options.rate, pollIntervalMs: 2_000 });
  defer(traffic.stop);
  await prometheus.setTargets(traffic.targets);

  log("changing every image: the apply holds the stable side back and decides the canaries");
  const report = await applyFleet({ store: setup, environment, canaries: options.canaries, image: "2", commit: "c2c2c2c2c2c2c2c2" });
  const decisions = report.canaries ?? [];
  if (decisions.filter((decision) => decision.kind === "start").length !== options.canaries) throw new Error(`the apply decided ${decisions.map((decision) => decision.kind).join(", ")}, not ${options.canaries} starts`);

  // The controller's side, as the server runs it: its own client (counted), the queue's pools, the policy's Prometheus.
  const client = await KubeClient.fromKubeConfig({ kubeConfig });
  defer(() => Promise.resolve(client.close()));
  const kubeRequestsByKind = countKubeRequests(client);
  const store = new ObjectStore(client, new Discovery(client));
  const prometheusQueries = countPrometheusQueries(prometheus.url);
  defer(() => Promise.resolve(prometheusQueries.restore()));
  const github = countingGitHub();
  const queue = new MeasuredQueue();
  const policy = developmentPolicy(client.contextName, { prometheus: prometheus.url });
  policy.contexts[client.contextName] = { prometheus: prometheus.url, scrapeInterval: options.scrapeIntervalSeconds * 1000 };
  const warnings: string[] = [];
  let promotions = 0;
  const service = new CanaryService({
    queue,
    clusters: { access: () => Promise.resolve({ store, context: client.contextName }) },
    policy,
    fieldManager: "slipway",
    installationClient: () => Promise.resolve(github.octokit),
    applyEnvironment: () => void (promotions += 1),
    log: { info: () => undefined, warn: (message) => warnings.push(message) },
  });

  const loadBefore = loadavg()[0] ?? NaN;
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  const cpu = process.cpuUsage();
  const startedAt = Date.now();
  log(`starting ${options.canaries} canaries, checks every ${options.intervalSeconds} s; measuring for ${options.seconds} s`);
  await service.started({
    octokit: github.octokit,
    repo: { owner: "acme", repo: "web" },
    installation: 1,
    granted: { environment: { ...environment, context: client.contextName } },
    branch: "main",
    commit: "c2c2c2c2c2c2c2c2",
    pullRequest: 7,
    decisions,
  });
  const endAt = startedAt + options.seconds * 1000;
  while (Date.now() < endAt) {
    await sleep(Math.min(30_000, endAt - Date.now()));
    const phases = countBy((await listCanaryStates(setup, namespace, environment.name)).map((stored) => stored.state.phase));
    log(`${Math.round((Date.now() - startedAt) / 1000)} s: ${[...phases].map(([phase, count]) => `${count} ${phase}`).join(", ")}; ${queue.ticks.length} ticks`);
  }
  const measuredMs = Date.now() - startedAt;
  await queue.shutdown({ deadlineMs: 5_000 });
  eventLoop.disable();
  const used = process.cpuUsage(cpu);

  const states = (await listCanaryStates(setup, namespace, environment.name)).map((stored) => stored.state);
  return {
    options,
    states,
    ticks: queue.ticks,
    measuredMs,
    startedAt,
    prometheusLatenciesMs: prometheusQueries.latenciesMs,
    kubeRequestsByKind,
    github: github.requests,
    promotions,
    warnings,
    // The histogram holds each timer's whole period: the 10 ms resolution is taken off.
    eventLoopDelayMs: { p50: lag(eventLoop.percentile(50)), p99: lag(eventLoop.percentile(99)), max: lag(eventLoop.max) },
    cpuPercent: ((used.user + used.system) / 1000 / measuredMs) * 100,
    loadAverage: { before: loadBefore, after: loadavg()[0] ?? NaN },
  };
}

const lag = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function countBy<T>(values: T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
