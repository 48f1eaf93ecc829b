// Credentials that expire while Slipway runs: a token file rotated under it, an exec plugin's
// token that the API server stops accepting. The real API server (static token file) answers 401
// to the old token; the client reads the credentials again once and goes on. A proxy in front of
// the API server only records what was asked and answered.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeClient } from "../../src/kube/client.js";
import { isUnauthorized } from "../../src/kube/errors.js";
import { loadKubeConfig } from "../../src/kube/kubeconfig.js";
import { startApiProxy, type ApiProxy } from "../support/api-proxy.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-credentials-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig file, as kubectl writes them, whose one user is `user`. */
function kubeconfigFile(name: string, server: string, user: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server, "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  return path;
}

const statuses = (proxy: ApiProxy, path: string) => proxy.seen.filter((req) => req.path === path).map((req) => req.status);

describeWithCluster("credentials that expire", () => {
  const cluster = useCluster();
  let proxy: ApiProxy | undefined;
  let client: KubeClient | undefined;
  afterEach(async () => {
    client?.close();
    await proxy?.close();
  });

  it("reads a rotated token file again after a 401, once, and succeeds", async () => {
    const ctx = await cluster();
    proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: {} });
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "an-expired-token\n");
    // A relative path, resolved against the kubeconfig's directory as kubectl does. The client
    // reads the expired token now, and would keep it for a minute.
    client = await KubeClient.fromKubeConfig({ kubeConfig: loadKubeConfig({ file: kubeconfigFile("token-file", proxy.server, { tokenFile: "token" }) }) });
    // The token is rotated on disk (a projected service account token, a mounted Secret).
    writeFileSync(tokenFile, `${proxy.token}\n`);

    const response = await client.request({ method: "GET", path: "/api/v1/namespaces/default" });

    expect(response.statusCode).toBe(200);
    expect(statuses(proxy, "/api/v1/namespaces/default")).toEqual([401, 200]);
    expect(client.credentials.refreshes).toBe(1);
  });

  it("gives up after one refresh when the credentials read again are refused too", async () => {
    const ctx = await cluster();
    proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: {} });
    const tokenFile = join(dir, "revoked-token");
    writeFileSync(tokenFile, "a-revoked-token");
    client = await KubeClient.fromKubeConfig({ kubeConfig: loadKubeConfig({ file: kubeconfigFile("revoked", proxy.server, { tokenFile }) }) });

    const error = await client.request({ method: "GET", path: "/api/v1/namespaces/default" }).catch((e: unknown) => e);

    expect(isUnauthorized(error)).toBe(true);
    expect(statuses(proxy, "/api/v1/namespaces/default")).toEqual([401, 401]);
    expect(client.credentials.refreshes).toBe(1);
  });

  it("refreshes once for many requests in flight that all get a 401", async () => {
    const ctx = await cluster();
    proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: {} });
    const tokenFile = join(dir, "shared-token");
    writeFileSync(tokenFile, "an-expired-token");
    client = await KubeClient.fromKubeConfig({ kubeConfig: loadKubeConfig({ file: kubeconfigFile("shared", proxy.server, { tokenFile }) }) });
    await client.credentials.headers();
    writeFileSync(tokenFile, proxy.token);
    const api = client;

    const answers = await Promise.all(Array.from({ length: 10 }, () => api.request({ method: "GET", path: "/api/v1/namespaces/default" })));

    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(client.credentials.refreshes).toBe(1);
    expect(statuses(proxy, "/api/v1/namespaces/default").filter((status) => status === 401)).toHaveLength(10);
  });

  it("runs an exec credential plugin again when the server refuses the token it cached", async () => {
    const ctx = await cluster();
    proxy = await startApiProxy({ kubeconfigPath: ctx.kubeconfigPath, rules: {} });
    const tokenFile = join(dir, "exec-token");
    const runs = join(dir, "exec-runs");
    writeFileSync(tokenFile, "an-expired-token");
    writeFileSync(runs, "");
    const plugin = join(dir, "credential-plugin.sh");
    // Says its token is good for years, so client-node would keep sending it without a refresh.
    writeFileSync(
      plugin,
      `#!/bin/sh\necho run >> '${runs}'\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}' "$(cat '${tokenFile}')"\n`,
    );
    chmodSync(plugin, 0o755);
    const exec = { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" };
    client = await KubeClient.fromKubeConfig({ kubeConfig: loadKubeConfig({ file: kubeconfigFile("exec", proxy.server, { exec }) }) });
    await client.credentials.headers();
    writeFileSync(tokenFile, proxy.token);

    const response = await client.request({ method: "GET", path: "/api/v1/namespaces/default" });

    expect(response.statusCode).toBe(200);
    expect(statuses(proxy, "/api/v1/namespaces/default")).toEqual([401, 200]);
    expect(client.credentials.refreshes).toBe(1);
    expect(readFileSync(runs, "utf8").trim().split("\n")).toHaveLength(2);
  });
});
