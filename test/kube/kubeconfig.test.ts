// The kubeconfig loader's rules, as kubectl applies them: KUBECONFIG's files merged (the first to
// name an entry wins), paths relative to the file that names them, token files read by the
// authenticator, and what each user and cluster field puts on a request.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KubeConfig, loadKubeConfig, withFreshCredentials } from "../../src/kube/kubeconfig.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-kubeconfig-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function file(path: string, config: Record<string, unknown>): string {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, stringify({ apiVersion: "v1", kind: "Config", ...config }));
  return full;
}

const context = (name: string, cluster: string, user: string) => ({ name, context: { cluster, user } });

async function requestOptions(kubeConfig: KubeConfig): Promise<RequestOptions> {
  const opts: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(opts);
  return opts;
}

describe("loading kubeconfigs", () => {
  it("merges KUBECONFIG's files (skipping one that does not exist): the first to name a cluster, user or context wins, and the first current-context set", () => {
    const first = file("merge/a.yaml", {
      clusters: [{ name: "prod", cluster: { server: "https://a.example:6443/" } }],
      users: [{ name: "me", user: { token: "from-a" } }],
      contexts: [context("prod", "prod", "me")],
    });
    const second = file("merge/b.yaml", {
      clusters: [
        { name: "prod", cluster: { server: "https://b.example:6443" } },
        { name: "staging", cluster: { server: "https://staging.example:6443" } },
      ],
      users: [{ name: "me", user: { token: "from-b" } }],
      contexts: [context("staging", "staging", "me")],
      "current-context": "staging",
    });
    process.env.KUBECONFIG = `${first}::${join(dir, "merge/missing-is-skipped.yaml")}:${second}`;
    const kubeConfig = loadKubeConfig();

    expect(kubeConfig.clusters.map((cluster) => [cluster.name, cluster.server])).toEqual([
      ["prod", "https://a.example:6443"],
      ["staging", "https://staging.example:6443"],
    ]);
    expect(kubeConfig.users.map((user) => user.token)).toEqual(["from-a"]);
    expect(kubeConfig.getCurrentContext()).toBe("staging");
    expect(kubeConfig.getCurrentCluster()?.server).toBe("https://staging.example:6443");
  });

  it("reads ~/.kube/config when KUBECONFIG is unset", () => {
    const home = join(dir, "home");
    file("home/.kube/config", { clusters: [{ name: "c", cluster: { server: "https://home.example" } }], users: [{ name: "u" }], contexts: [context("x", "c", "u")], "current-context": "x" });
    delete process.env.KUBECONFIG;
    process.env.HOME = home;

    expect(loadKubeConfig().getCurrentCluster()?.server).toBe("https://home.example");
  });

  it("resolves the files a kubeconfig names relative to it, and keeps absolute paths", () => {
    const path = file("relative/config", {
      clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority": "pki/ca.crt" } }],
      users: [{ name: "u", user: { "client-certificate": "/etc/abs/client.crt", "client-key": "pki/client.key" } }],
      contexts: [context("x", "c", "u")],
      "current-context": "x",
    });
    const kubeConfig = loadKubeConfig({ file: path });

    expect(kubeConfig.getCurrentCluster()?.caFile).toBe(join(dir, "relative/pki/ca.crt"));
    expect(kubeConfig.getCurrentUser()).toMatchObject({ certFile: "/etc/abs/client.crt", keyFile: join(dir, "relative/pki/client.key") });
  });

  it("hands a token file, in either spelling, to the authenticator that reads it again; a token written out wins", () => {
    const path = file("tokens/config", {
      users: [
        { name: "camel", user: { tokenFile: "token" } },
        { name: "dashed", user: { "token-file": "/var/run/token" } },
        { name: "both", user: { token: "inline", tokenFile: "token" } },
      ],
    });
    const users = loadKubeConfig({ file: path }).users;

    expect(users.map((user): unknown[] => [user.name, user.token, user.authProvider as unknown])).toEqual([
      ["camel", undefined, { name: "tokenFile", config: { tokenFile: join(dir, "tokens/token") } }],
      ["dashed", undefined, { name: "tokenFile", config: { tokenFile: "/var/run/token" } }],
      ["both", "inline", undefined],
    ]);
  });

  it("names the broken entry of a kubeconfig", () => {
    const broken = (config: Record<string, unknown>) => () => new KubeConfig().loadFromString(stringify(config));
    expect(broken({ clusters: [{ name: "c", cluster: {} }] })).toThrow("kubeconfig: clusters[0].cluster.server is missing");
    expect(broken({ contexts: [{ context: { cluster: "c", user: "u" } }] })).toThrow("kubeconfig: contexts[0].name is missing");
    expect(broken({ contexts: [{ name: "x" }] })).toThrow("kubeconfig: contexts[0].context is missing");
    expect(() => new KubeConfig().loadFromString("- a list")).toThrow("kubeconfig is not a mapping");
  });
});

describe("what a kubeconfig puts on a request", () => {
  const config = (cluster: Record<string, unknown>, user: Record<string, unknown>) => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(stringify({ clusters: [{ name: "c", cluster: { server: "https://x", ...cluster } }], users: [{ name: "u", user }], contexts: [context("x", "c", "u")], "current-context": "x" }));
    return kubeConfig;
  };

  it("a token as a bearer header, a user to impersonate, basic auth, and the cluster's TLS settings", async () => {
    const ca = Buffer.from("-----BEGIN CERTIFICATE-----\n…");
    const opts = await requestOptions(
      config({ "certificate-authority-data": ca.toString("base64"), "insecure-skip-tls-verify": true, "tls-server-name": "api.internal" }, { token: "t0k", as: "jane", username: "admin", password: "pw" }),
    );

    expect(opts).toMatchObject({ ca, rejectUnauthorized: false, servername: "api.internal", auth: "admin:pw", headers: { Authorization: "Bearer t0k", "Impersonate-User": "jane" } });
  });

  it("client certificate and key from data, and nothing it was not given", async () => {
    const opts = await requestOptions(config({}, { "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": Buffer.from("KEY").toString("base64") }));

    expect(opts.cert).toEqual(Buffer.from("CERT"));
    expect(opts.key).toEqual(Buffer.from("KEY"));
    expect(opts).not.toHaveProperty("rejectUnauthorized");
    expect(opts).not.toHaveProperty("auth");
    expect(opts.headers).toEqual({});
  });

  it("a token file's contents, read by the authenticator, and read again by a fresh copy after it changed", async () => {
    const tokenFile = join(dir, "rotating-token");
    writeFileSync(tokenFile, "first");
    const kubeConfig = config({}, { tokenFile });
    expect((await requestOptions(kubeConfig)).headers).toEqual({ Authorization: "Bearer first" });

    writeFileSync(tokenFile, "second");
    // The authenticator keeps what it read for a minute; a 401 makes the client take a fresh copy.
    expect((await requestOptions(kubeConfig)).headers).toEqual({ Authorization: "Bearer first" });
    expect((await requestOptions(withFreshCredentials(kubeConfig))).headers).toEqual({ Authorization: "Bearer second" });
  });

  it("no credentials at all for a context whose user is not in the file", async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(stringify({ clusters: [{ name: "c", cluster: { server: "https://x" } }], contexts: [context("x", "c", "ghost")], "current-context": "x" }));
    expect(await requestOptions(kubeConfig)).toEqual({});
  });
});
