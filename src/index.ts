// The Probot app: builds Slipway's dependencies from the server's settings and registers its
// handlers. No logic here.
import type { Probot } from "probot";
import { readSecuritySettings, type SecuritySettings } from "./config/server-security.js";
import { readServerSettings, type ServerSettings } from "./config/server.js";
import { createSlipwayApp } from "./github/app.js";
import { WorkQueue } from "./jobs/queue.js";
import { loadDefaultKubeConfig } from "./kube/client.js";
import { ClusterPool } from "./kube/cluster-pool.js";
import { createMetrics, type Metrics } from "./observability/metrics.js";

export interface SlipwaySettings {
  server: ServerSettings;
  security: SecuritySettings;
}

/** What one server shares between the app, its health checks and its metrics. */
export interface SlipwayRuntime {
  clusters: ClusterPool;
  queue: WorkQueue;
  metrics: Metrics;
}

/** Reads every setting from the environment; throws (a SettingsError, saying what) when one is missing or invalid. */
export function readSlipwaySettings(env: NodeJS.ProcessEnv = process.env): SlipwaySettings {
  return {
    server: readServerSettings(env),
    security: readSecuritySettings({ env, currentContext: () => loadDefaultKubeConfig().getCurrentContext() }),
  };
}

export function createRuntime(): SlipwayRuntime {
  // The queue reports to the metrics, and the metrics read the queue when scraped.
  const queueRef: { current?: WorkQueue } = {};
  const metrics = createMetrics({ queueStats: (pool) => queueRef.current?.stats(pool) ?? { waiting: 0, running: 0, lastWaitMs: 0 } });
  const queue = new WorkQueue({ onStart: (pool, waitedMs) => metrics.observer.jobStarted(pool, waitedMs) });
  queueRef.current = queue;
  return { clusters: new ClusterPool(), queue, metrics };
}

export function createSlipway(settings: SlipwaySettings, runtime: SlipwayRuntime = createRuntime()): (app: Probot) => void {
  return createSlipwayApp({
    clusters: runtime.clusters,
    queue: runtime.queue,
    policy: settings.security.policy,
    fieldManager: settings.server.fieldManager,
    configHashKey: settings.security.configHashKey,
    reconcileIntervalMs: settings.server.reconcileIntervalMs,
    observer: runtime.metrics.observer,
    tarballLimits: settings.server.tarball,
  });
}

export default function slipway(app: Probot): void {
  createSlipway(readSlipwaySettings())(app);
}
