// Starts a real Kubernetes control plane on loopback for the tests: etcd, kube-apiserver
// (TLS with a self-generated serving certificate, bearer-token auth, RBAC),
// kube-controller-manager, kube-scheduler and, when it was built, kwok with one fake node so
// that pods become Running and Ready without a kubelet.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { ClusterAssets } from "./assets.js";
import { ClusterProcess, freePort, waitFor } from "./process.js";

export interface TestCluster {
  /** A kubeconfig whose current context `slipway-test` reaches the cluster as a cluster admin. */
  kubeconfigPath: string;
  /**
   * With `clientCertificates`: the same cluster as the user `slipway-cert-user` (group
   * system:masters) by a client certificate, whose files the kubeconfig names by relative paths.
   */
  clientCertKubeconfigPath?: string;
  server: string;
  token: string;
  caFile: string;
  /** Whether pods become Running and Ready (kwok runs) or tests must patch status themselves. */
  podsBecomeReady: boolean;
  controllersRun: boolean;
  assets: ClusterAssets;
  logDir: string;
  /** Stops kube-apiserver only (etcd keeps the data), for tests of an API server that goes away. */
  stopApiserver(): Promise<void>;
  startApiserver(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  assets: ClusterAssets;
  /** Start kube-controller-manager, kube-scheduler and kwok (default true). */
  controllers?: boolean;
  /** Trust a client CA of its own and write a kubeconfig that authenticates with a certificate it signed (needs openssl). */
  clientCertificates?: boolean;
  log?: (line: string) => void;
}

export const fakeNodeName = "kwok-node-0";
const kwokStages = fileURLToPath(new URL("kwok-stages.yaml", import.meta.url));

/**
 * Free ports are picked by binding port 0 and letting go; another process can take one before
 * etcd or kube-apiserver binds it. Then the whole control plane starts again on new ports.
 */
export async function startCluster(options: StartClusterOptions): Promise<TestCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes("address already in use")) throw error;
      options.log?.(`a port was taken meanwhile; starting again (attempt ${attempt + 1})`);
    }
  }
}

async function startClusterOnce(options: StartClusterOptions): Promise<TestCluster> {
  const { assets } = options;
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), "slipway-cluster-"));
  // Lets a later run remove this directory if this process dies before its teardown.
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const processes: ClusterProcess[] = [];
  const token = randomBytes(24).toString("hex");
  let apiserver: ClusterProcess | undefined;

  // Controllers first, then the API server, then etcd: an API server whose etcd is gone
  // waits out its whole grace period.
  const stopAll = async () => {
    const [etcd, ...controllers] = processes;
    await Promise.all(controllers.map((proc) => proc.stop()));
    await apiserver?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiserverPort] = [await freePort(), await freePort(), await freePort()];
    const certDir = join(dir, "pki");
    const tokenFile = join(dir, "tokens.csv");
    writeFileSync(tokenFile, `${token},slipway-test-admin,slipway-test-admin,"system:masters"\n`, { mode: 0o600 });
    const serviceAccountKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKeyFile = join(dir, "sa.key");
    const saPubFile = join(dir, "sa.pub");
    writeFileSync(saKeyFile, serviceAccountKey.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPubFile, serviceAccountKey.publicKey.export({ type: "spki", format: "pem" }));

    const clientCerts = options.clientCertificates ? writeClientCertificates(join(dir, "client-pki")) : undefined;

    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcd = ClusterProcess.start({
      name: "etcd",
      command: assets.etcd,
      logDir: dir,
      args: [
        "--name=default",
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        // Tests throw the data away; fsync only costs time.
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
    });
    processes.push(etcd);
    await waitFor({
      what: "etcd",
      timeoutMs: 30_000,
      alive: () => etcd.running,
      detail: () => etcd.tail(),
      probe: async () => ((await fetch(`${etcdUrl}/health`)).ok ? true : undefined),
    });
    log(`etcd up on ${etcdUrl}`);

    const server = `https://127.0.0.1:${apiserverPort}`;
    const caFile = join(certDir, "apiserver.crt");
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // The kubernetes Service's endpoints cannot point at loopback; nothing in the tests needs them.
      "--endpoint-reconciler-type=none",
      `--secure-port=${apiserverPort}`,
      // Without --tls-cert-file the API server generates a CA and a serving certificate for
      // localhost and 127.0.0.1 into cert-dir; the kubeconfig trusts that bundle.
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokenFile}`,
      ...(clientCerts ? [`--client-ca-file=${clientCerts.caFile}`] : []),
      "--authorization-mode=RBAC",
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${saPubFile}`,
      `--service-account-signing-key-file=${saKeyFile}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      "--v=1",
    ];
    const startApiserver = async () => {
      apiserver = ClusterProcess.start({ name: "kube-apiserver", command: assets.kubeApiserver, args: apiserverArgs, logDir: dir });
      const proc = apiserver;
      await waitFor({
        what: "kube-apiserver /readyz",
        timeoutMs: 90_000,
        intervalMs: 300,
        alive: () => proc.running,
        detail: () => proc.tail(),
        probe: async () => ((await get(server, "/readyz", token, readFileSync(caFile))).status === 200 ? true : undefined),
      });
    };
    await startApiserver();
    log(`kube-apiserver up on ${server}`);

    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfigYaml({ server, user: { token }, ca: readFileSync(caFile) }), { mode: 0o600 });
    const clientCertKubeconfigPath = clientCerts ? join(dir, "kubeconfig-client-cert") : undefined;
    if (clientCertKubeconfigPath) {
      const user = { "client-certificate": "client-pki/client.crt", "client-key": "client-pki/client.key" };
      writeFileSync(clientCertKubeconfigPath, kubeconfigYaml({ server, user, ca: readFileSync(caFile) }), { mode: 0o600 });
    }

    const controllersRun = options.controllers !== false && assets.kubeControllerManager !== undefined;
    let podsBecomeReady = false;
    if (controllersRun && assets.kubeControllerManager) {
      processes.push(
        ClusterProcess.start({
          name: "kube-controller-manager",
          command: assets.kubeControllerManager,
          logDir: dir,
          args: [
            `--kubeconfig=${kubeconfigPath}`,
            "--leader-elect=false",
            "--secure-port=0",
            `--service-account-private-key-file=${saKeyFile}`,
            `--root-ca-file=${caFile}`,
            // No kubelet heartbeats here: the node lifecycle controller would taint the fake
            // node unreachable and stop scheduling onto it.
            "--controllers=*,-node-lifecycle-controller",
            "--v=1",
          ],
        }),
      );
      if (assets.kubeScheduler && assets.kwok) {
        processes.push(
          ClusterProcess.start({
            name: "kube-scheduler",
            command: assets.kubeScheduler,
            logDir: dir,
            args: [`--kubeconfig=${kubeconfigPath}`, "--leader-elect=false", "--secure-port=0", "--v=1"],
          }),
        );
        processes.push(
          ClusterProcess.start({
            name: "kwok",
            command: assets.kwok,
            logDir: dir,
            args: [
              `--kubeconfig=${kubeconfigPath}`,
              "--manage-all-nodes=false",
              "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
              "--node-ip=127.0.0.1",
              `--config=${kwokStages}`,
            ],
          }),
        );
        await createFakeNode(server, token, readFileSync(caFile));
        podsBecomeReady = true;
      }
      log(`controllers started${podsBecomeReady ? " (kwok: pods become Ready)" : ""}`);
    }

    return {
      kubeconfigPath,
      ...(clientCertKubeconfigPath ? { clientCertKubeconfigPath } : {}),
      server,
      token,
      caFile,
      podsBecomeReady,
      controllersRun,
      assets,
      logDir: dir,
      stopApiserver: async () => apiserver?.stop(),
      startApiserver,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A CA the API server trusts for client certificates (--client-ca-file), and a certificate it
 * signed for the user `slipway-cert-user` in the group system:masters (the subject's CN and O), made
 * with openssl as an operator would.
 */
function writeClientCertificates(dir: string): { caFile: string } {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=slipway-test-client-ca");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/O=system:masters/CN=slipway-cert-user");
  openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2");
  return { caFile: join(dir, "ca.crt") };
}

function kubeconfigYaml(params: { server: string; user: Record<string, string>; ca: Buffer }): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "slipway-test", cluster: { server: params.server, "certificate-authority-data": params.ca.toString("base64") } },
    ],
    users: [{ name: "slipway-test-admin", user: params.user }],
    contexts: [{ name: "slipway-test", context: { cluster: "slipway-test", user: "slipway-test-admin" } }],
    "current-context": "slipway-test",
  });
}

async function createFakeNode(server: string, token: string, ca: Buffer): Promise<void> {
  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: fakeNodeName,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": fakeNodeName, "kubernetes.io/os": "linux", type: "kwok" },
    },
    status: {
      allocatable: { cpu: "64", memory: "256Gi", pods: "1000" },
      capacity: { cpu: "64", memory: "256Gi", pods: "1000" },
    },
  };
  const response = await send(server, { method: "POST", path: "/api/v1/nodes", token, ca, body: JSON.stringify(node) });
  if (response.status !== 201) throw new Error(`creating the fake node failed: ${response.status} ${response.body}`);
  // The TaintNodesByCondition admission plugin adds node.kubernetes.io/not-ready on create; the
  // node lifecycle controller, which would lift it, is off (there are no kubelet heartbeats).
  const untaint = await send(server, {
    method: "PATCH",
    path: `/api/v1/nodes/${fakeNodeName}`,
    token,
    ca,
    contentType: "application/merge-patch+json",
    body: JSON.stringify({ spec: { taints: null } }),
  });
  if (untaint.status !== 200) throw new Error(`untainting the fake node failed: ${untaint.status} ${untaint.body}`);
}

function get(server: string, path: string, token: string, ca: Buffer) {
  return send(server, { method: "GET", path, token, ca });
}

function send(
  server: string,
  params: { method: string; path: string; token: string; ca: Buffer; body?: string; contentType?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(params.path, server),
      {
        method: params.method,
        ca: params.ca,
        timeout: 5_000,
        headers: { authorization: `Bearer ${params.token}`, "content-type": params.contentType ?? "application/json" },
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(params.body);
  });
}
