// Finds (and, when asked, builds) the binaries of the test control plane.
// The build itself lives in build.sh so that `npm run cluster:assets`, CI and this
// helper share one definition of where the binaries are cached.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ClusterAssets {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  /** Absent when KUBEBUILDER_ASSETS points at plain envtest binaries. */
  kubeControllerManager?: string;
  kubeScheduler?: string;
  /** Absent when kwok did not build; tests then drive readiness by patching status. */
  kwok?: string;
}

const here = fileURLToPath(new URL(".", import.meta.url));

export const howToGetAssets =
  "run `npm run cluster:assets` (needs Go; builds Kubernetes from source, cached in ~/.cache/slipway) " +
  "or point KUBEBUILDER_ASSETS at a directory holding etcd, kube-apiserver and kubectl";

/** Runs build.sh (which returns at once when the cache is filled) and describes its result. */
export async function ensureAssets(options: { log?: (line: string) => void } = {}): Promise<ClusterAssets> {
  const lines = await runAssetsScript("build.sh", "building the test cluster", options.log ?? (() => undefined));
  // build.sh prints the directory as its last line.
  return describeAssets(lines[lines.length - 1] ?? "");
}

export function describeAssets(dir: string): ClusterAssets {
  const bin = (name: string): string | undefined => {
    const path = join(dir, name);
    return existsSync(path) ? path : undefined;
  };
  const required = (name: string): string => {
    const path = bin(name);
    if (!path) throw new Error(`${dir} has no ${name}; ${howToGetAssets}`);
    return path;
  };
  return {
    dir,
    etcd: required("etcd"),
    kubeApiserver: required("kube-apiserver"),
    kubectl: required("kubectl"),
    kubeControllerManager: bin("kube-controller-manager"),
    kubeScheduler: bin("kube-scheduler"),
    kwok: bin("kwok"),
  };
}

/**
 * Runs one of the asset scripts (a path relative to this directory) and resolves with its stdout
 * lines; its log lines (stderr, "[cluster:assets] ...") go to `log` as they come.
 */
export function runAssetsScript(script: string, what: string, log: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [join(here, script)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // The scripts' own log lines: "[cluster:assets] ...", "[render:tools] ...".
      for (const line of chunk.toString().split("\n")) if (/^\[[\w:]+\] /.test(line)) log(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.trim().split("\n").filter((line) => line !== "");
      if (code === 0 && lines.length > 0) resolve(lines);
      else reject(new Error(`${what} failed (exit ${code}):\n${stderr.slice(-4000)}`));
    });
  });
}
