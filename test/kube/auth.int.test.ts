// The kubeconfig's ways of proving who we are, judged by the real API server: it says whom it
// took the request for (a SelfSubjectReview). Token files and exec plugins, and their refresh, are
// test/kube/credential-refresh.int.test.ts.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeClient } from "../../src/kube/client.js";
import { loadKubeConfig, KubeConfig } from "../../src/kube/kubeconfig.js";
import { cluster as provided, describeWithCluster, useCluster } from "../support/cluster.js";

interface Review {
  status: { userInfo: { username: string; groups?: string[] } };
}

const clients: KubeClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** Whom the API server takes this kubeconfig's requests for. */
async function whoAmI(kubeConfig: KubeConfig): Promise<Review["status"]["userInfo"]> {
  const client = await KubeClient.fromKubeConfig({ kubeConfig, options: { retries: 0 } });
  clients.push(client);
  const review = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
  const response = await client.request<Review>({ method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: review });
  expect(response.statusCode).toBe(201);
  return response.body.status.userInfo;
}

/** A kubeconfig for the test cluster (its server and CA) with this user. */
function withUser(admin: KubeConfig, user: Record<string, unknown>): KubeConfig {
  const server = admin.getCurrentCluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(
    stringify({
      clusters: [{ name: "c", cluster: { server: server?.server, "certificate-authority-data": server?.caData } }],
      users: [{ name: "u", user }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  return kubeConfig;
}

describeWithCluster("credentials the API server accepts", () => {
  const cluster = useCluster();

  it("a client certificate and key named by paths relative to the kubeconfig", async () => {
    const file = provided.clientCertKubeconfigPath ?? "";
    expect(readFileSync(file, "utf8")).toContain("client-certificate: client-pki/client.crt");

    expect(await whoAmI(loadKubeConfig({ file }))).toMatchObject({ username: "slipway-cert-user", groups: expect.arrayContaining(["system:masters"]) });
  });

  it("a client certificate and key given inline, as base64 data", async () => {
    const ctx = await cluster();
    const pki = join(dirname(provided.clientCertKubeconfigPath ?? ""), "client-pki");
    const inline = withUser(loadKubeConfig({ file: ctx.kubeconfigPath }), {
      "client-certificate-data": readFileSync(join(pki, "client.crt")).toString("base64"),
      "client-key-data": readFileSync(join(pki, "client.key")).toString("base64"),
    });

    expect(await whoAmI(inline)).toMatchObject({ username: "slipway-cert-user" });
  });

  it("an OIDC auth provider's unexpired id-token (here a token the API server issued for a service account)", async () => {
    const ctx = await cluster();
    const namespace = await ctx.namespace("oidc");
    await ctx.store.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "deployer", namespace } }, { fieldManager: "test-setup" });
    const issued = await ctx.client.request<{ status: { token: string } }>({
      method: "POST",
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/deployer/token`,
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } },
    });
    const oidc = withUser(loadKubeConfig({ file: ctx.kubeconfigPath }), {
      "auth-provider": { name: "oidc", config: { "client-id": "slipway", "idp-issuer-url": "https://issuer.invalid", "id-token": issued.body.status.token } },
    });

    expect(await whoAmI(oidc)).toMatchObject({ username: `system:serviceaccount:${namespace}:deployer` });
  });

  it("the admin's bearer token, and nothing for a user without credentials (anonymous is refused)", async () => {
    const ctx = await cluster();
    const admin = loadKubeConfig({ file: ctx.kubeconfigPath });
    expect(await whoAmI(admin)).toMatchObject({ username: "slipway-test-admin" });

    const nobody = await KubeClient.fromKubeConfig({ kubeConfig: withUser(admin, {}), options: { retries: 0 } });
    clients.push(nobody);
    const refused = await nobody.request({ method: "GET", path: "/api/v1/namespaces/default" }).catch((error: unknown) => error);
    expect(String(refused)).toMatch(/401|403|Unauthorized|Forbidden/);
  });
});
