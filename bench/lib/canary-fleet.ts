// The canaries of `npm run bench:canary`: N workloads in one environment, each a Deployment, its
// ConfigMap, Service and HTTPRoute, with a `canary:` entry each. A first apply makes them; a
// second changes every image, and its apply holds the stable side back and decides N canaries,
// which the server's CanaryService starts and ticks on its queue's canary pool.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { applyEnvironment } from "../../src/apply/apply-environment.js";
import type { ApplyReport } from "../../src/apply/types.js";
import { canaryHoldBack } from "../../src/canary/prepare.js";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import { canaryEntry, workloadManifests } from "../../test/canary/harness/workload.js";
import type { TrafficParams, TrafficReady } from "./canary-traffic.js";

export interface FleetOptions {
  canaries: number;
  namespace: string;
  /** Between checks, e.g. "10s". */
  interval: string;
}

export const workloadName = (index: number): string => `web-${String(index).padStart(2, "0")}`;

/**
 * Steps of 10 % up to 90 %, then a manual gate at which the checks go on: every canary is still
 * checked every interval when the measurement ends. 5 requests in a window are enough, so a 10 %
 * step of 8 requests a second is judged.
 */
export function fleetEnvironment(options: FleetOptions): EnvironmentConfig {
  return defineEnvironment({
    name: "bench",
    paths: ["**"],
    namespace: options.namespace,
    readinessTimeoutSeconds: 180,
    canary: Array.from({ length: options.canaries }, (_, index) =>
      canaryEntry(workloadName(index), { steps: { stepWeight: 10, maxWeight: 90 }, interval: options.interval, minRequests: 5, promotion: "manual", metrics: { telemetry: "istio", successRate: { min: 99 }, latencyP99: { max: 500 } } }),
    ),
  });
}

/** Applies every workload at `image` as commit `commit`, holding canaried workloads back. */
export async function applyFleet(params: { store: ObjectStore; environment: EnvironmentConfig; canaries: number; image: string; commit: string }): Promise<ApplyReport> {
  const { store, environment } = params;
  const files = Array.from({ length: params.canaries }, (_, index) => ({ path: `apps/${workloadName(index)}.yaml`, content: workloadManifests({ name: workloadName(index), image: params.image, replicas: 1 }) }));
  const report = await applyEnvironment({ environment, files, commit: params.commit, store, context: "bench", fieldManager: "slipway", pollMs: 500, holdBack: canaryHoldBack({ store, environment })! });
  if (report.outcome !== "applied") throw new Error(`the apply of commit ${params.commit} was ${report.outcome}: ${report.message ?? ""}`);
  return report;
}

/** Starts canary-traffic.ts in a process of its own; resolves with its scrape targets once it serves. */
export async function startFleetTraffic(params: TrafficParams): Promise<{ targets: TrafficReady["targets"]; child: ChildProcess; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL("canary-traffic.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(params)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the traffic process exited (${code}) before it served`)));
  });
  const ready = JSON.parse(firstLine) as TrafficReady;
  return {
    targets: ready.targets,
    child,
    stop: async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
