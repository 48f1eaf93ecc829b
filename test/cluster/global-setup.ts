// Vitest global setup for the integration project: one real control plane for the run.
// With CI=true a cluster that cannot be built or started fails the run; elsewhere the
// integration tests skip with one line that says why.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureAssets, howToGetAssets } from "./assets.js";
import { startCluster, type TestCluster } from "./cluster.js";
import { ensureRenderTools } from "./render-tools.js";

export interface ProvidedCluster {
  available: boolean;
  skipReason?: string;
  kubeconfigPath?: string;
  clientCertKubeconfigPath?: string;
  kubectl?: string;
  podsBecomeReady?: boolean;
  controllersRun?: boolean;
}

/** kustomize and helm, for the rendering tests; they need no cluster. */
export type ProvidedRenderTools = { available: true; kustomize: string; helm: string } | { available: false; skipReason: string };

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ProvidedCluster;
    renderTools: ProvidedRenderTools;
  }
}

const log = (line: string) => process.stderr.write(`[test-cluster] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  removeAbandonedClusterDirs();
  const inCi = process.env.CI === "true";
  project.provide("renderTools", await renderTools(inCi));
  let cluster: TestCluster | undefined;
  try {
    if (process.env.SLIPWAY_SKIP_CLUSTER === "1" && !inCi) throw new Error("SLIPWAY_SKIP_CLUSTER=1");
    const started = Date.now();
    const assets = await ensureAssets({ log });
    cluster = await startCluster({ assets, log, clientCertificates: true });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s (binaries: ${assets.dir})`);
    project.provide("cluster", {
      available: true,
      kubeconfigPath: cluster.kubeconfigPath,
      clientCertKubeconfigPath: cluster.clientCertKubeconfigPath,
      kubectl: assets.kubectl,
      podsBecomeReady: cluster.podsBecomeReady,
      controllersRun: cluster.controllersRun,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.split("\n")[0];
    if (inCi) throw error;
    const details = join(tmpdir(), "slipway-test-cluster-error.log");
    writeFileSync(details, message);
    log(`integration tests skipped: no test cluster (${reason}; details in ${details}); to run them, ${howToGetAssets}`);
    project.provide("cluster", { available: false, skipReason: reason });
  }
  const stop = async () => {
    await cluster?.stop();
    cluster = undefined;
  };
  // An interrupted run (Ctrl-C) still stops the control plane; supervise.sh covers SIGKILL.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
  return stop;
}

/** Builds (once, then cached) or finds kustomize and helm; with CI=true a failure fails the run. */
async function renderTools(inCi: boolean): Promise<ProvidedRenderTools> {
  try {
    return { available: true, ...(await ensureRenderTools({ log })) };
  } catch (error) {
    if (inCi) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    log(`rendering tests skipped: no kustomize or helm (${reason}); to run them, run \`npm run render:tools\` (needs Go)`);
    return { available: false, skipReason: reason };
  }
}

/** Temporary directories of runs that were killed before their teardown. */
function removeAbandonedClusterDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith("slipway-cluster-")) continue;
    const dir = join(tmpdir(), entry);
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
    } catch {
      // No owner file: the run died while starting.
    }
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
