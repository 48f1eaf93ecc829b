// The Probot app: builds Slipway's dependencies from the server's settings and registers its
// handlers. No logic here.
import type { Probot } from "probot";
import { readSecuritySettings, type SecuritySettings } from "./config/server-security.js";
import { readServerSettings, type ServerSettings } from "./config/server.js";
import { createSlipwayApp } from "./github/app.js";
import { WorkQueue } from "./jobs/queue.js";
import { loadDefaultKubeConfig } from "./kube/client.js";
import { ClusterPool } from "./kube/cluster-pool.js";

export interface SlipwaySettings {
  server: ServerSettings;
  security: SecuritySettings;
}

/** Reads every setting from the environment; throws (a SettingsError, saying what) when one is missing or invalid. */
export function readSlipwaySettings(env: NodeJS.ProcessEnv = process.env): SlipwaySettings {
  return {
    server: readServerSettings(env),
    security: readSecuritySettings({ env, currentContext: () => loadDefaultKubeConfig().getCurrentContext() }),
  };
}

export function createSlipway(settings: SlipwaySettings): (app: Probot) => void {
  return createSlipwayApp({
    clusters: new ClusterPool(),
    queue: new WorkQueue(),
    policy: settings.security.policy,
    fieldManager: settings.server.fieldManager,
    configHashKey: settings.security.configHashKey,
    tarballLimits: settings.server.tarball,
  });
}

export default function slipway(app: Probot): void {
  createSlipway(readSlipwaySettings())(app);
}
