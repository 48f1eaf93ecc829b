// The built app as users run it: `npm start` (`node lib/server.js`, after `npm run build`) as a
// process of its own, in production mode, with a policy file, JSON logs, and GitHub at the fake's
// address through Probot's GitHub Enterprise settings (GHE_HOST, GHE_PROTOCOL). Deliveries are
// signed with the webhook secret and posted to its webhook path, as GitHub posts them.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { developmentConfigHashKey } from "../../src/config/server-security.js";
import { KubeConfig } from "../../src/kube/kubeconfig.js";
import { signDelivery } from "../../test/support/github/sign.js";

/** `npm start`'s script: package.json's `start`. */
export const builtServer = fileURLToPath(new URL("../../lib/server.js", import.meta.url));

export interface AppProcess {
  /** Signs and posts a delivery; resolves with when it was sent (performance.now()) once the app answered. */
  deliver(event: string, payload: unknown): Promise<{ sentMs: number; status: number }>;
  /** Where its log goes. */
  logPath: string;
  /** The process's peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB(): Promise<number>;
  /**
   * Waits until the app has had `quietMs` without a job since the last `markQuiet()`: a push after
   * a quiet spell, as most are, whose GitHub writes are not paced behind the previous one's.
   */
  waitQuiet(): Promise<void>;
  /** The app's job ended now. */
  markQuiet(): void;
  stop(): Promise<void>;
}

export async function startApp(params: {
  kubeconfigPath: string;
  /** The fake GitHub's host:port. */
  githubHost: string;
  workDir: string;
  /** Another build's server.js (default: this checkout's lib/server.js). */
  server?: string;
  label?: string;
  /** See `waitQuiet` (default 5 s: the time GitHub's pacing of five writes takes to refill, write-pacing.ts). */
  quietMs?: number;
}): Promise<AppProcess> {
  const label = params.label ?? "app";
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(params.kubeconfigPath);
  const policyPath = join(params.workDir, `${label}-policy.yml`);
  await writeFile(policyPath, stringify({ rules: [{ repositories: ["*/*"], contexts: [kubeConfig.getCurrentContext()], namespaces: ["*"] }] }));
  const secret = randomBytes(24).toString("hex");
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    APP_ID: "1",
    PRIVATE_KEY: appPrivateKey(),
    WEBHOOK_SECRET: secret,
    HOST: "127.0.0.1",
    PORT: String(port),
    GHE_HOST: params.githubHost,
    GHE_PROTOCOL: "http",
    KUBECONFIG: params.kubeconfigPath,
    SLIPWAY_POLICY: policyPath,
    // The key the benchmark's manifests were stamped with (apps.ts), so kubectl sends what Slipway does.
    SLIPWAY_CONFIG_HASH_KEY: developmentConfigHashKey,
    // No reconcile of every installation at start: the benchmark delivers each event itself.
    SLIPWAY_RECONCILE_INTERVAL_SECONDS: "0",
  };
  const logPath = join(params.workDir, `${label}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [params.server ?? builtServer], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy({ base, child, logPath });
  const quietMs = params.quietMs ?? 5000;
  let quietSince = performance.now() - quietMs;

  return {
    logPath,
    deliver: (event, payload) => {
      const body = JSON.stringify(payload);
      const headers = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signDelivery(secret, body),
        "user-agent": "GitHub-Hookshot/bench",
      };
      const sentMs = performance.now();
      return new Promise((resolve, reject) => {
        const outgoing = request(`${base}/api/github/webhooks`, { method: "POST", headers }, (res) => {
          res.resume();
          res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve({ sentMs, status: res.statusCode ?? 0 }) : reject(new Error(`the app answered the ${event} delivery with HTTP ${res.statusCode}; see ${logPath}`))));
        });
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    },
    peakRssMiB: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN) / 1024;
    },
    waitQuiet: () => new Promise((resolve) => setTimeout(resolve, Math.max(0, quietSince + quietMs - performance.now()))),
    markQuiet: () => void (quietSince = performance.now()),
    stop: () => stopChild(child),
  };
}

let privateKey: string | undefined;

/** A throwaway GitHub App key (PKCS#1, as GitHub hands them out): the fake never checks the JWT. */
function appPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  return privateKey;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(params: { base: string; child: ChildProcess; logPath: string }): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (params.child.exitCode !== null) throw new Error(`the app exited with ${params.child.exitCode} before it served; see ${params.logPath}`);
    const ok = await new Promise<boolean>((resolve) => {
      const probe = request(`${params.base}/healthz`, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      probe.on("error", () => resolve(false));
      probe.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the app did not serve /healthz within 30 s; see ${params.logPath}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
