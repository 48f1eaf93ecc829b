// Loading kubeconfigs with kubectl's rules (KUBECONFIG's files merged, the first to name an entry
// wins; else ~/.kube/config; else the pod's service account), without importing
// `@kubernetes/client-node` whole: its entry point and its KubeConfig import the generated API
// models, about 0.4–0.6 s of a command line's start-up, for nothing Slipway uses. The credential
// plugins are still the library's own (exec, OIDC, Azure, GCP and token files), imported only for a
// user that names one. kubectl's `tokenFile` (client-go's TokenFile) and its spelling `token-file`
// become the token-file authenticator, which reads the file again as it rotates; a token copied at
// load time would be sent forever.
// https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/
import { accessSync, existsSync, readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { isIPv6 } from "node:net";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import type { Authenticator } from "@kubernetes/client-node/dist/auth.js";
import type { Cluster, Context, User } from "@kubernetes/client-node/dist/config_types.js";
import { parse } from "yaml";

export type { Cluster, Context, User };

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

export class KubeConfig {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = "";
  /** The credential plugins, imported on the first request of a user that names one; each KubeConfig has its own (their caches). */
  private authenticators: Promise<Authenticator[]> | undefined;

  loadFromFile(file: string): void {
    this.loadFromString(readFileSync(file, "utf8"), dirname(file));
  }

  /** Parses a kubeconfig; relative file paths in it are relative to `root` (the file's directory), as kubectl resolves them. */
  loadFromString(text: string, root?: string): void {
    const parsed = parseKubeConfig(text, root);
    Object.assign(this, parsed);
  }

  loadFromOptions(options: { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string }): void {
    this.clusters = options.clusters;
    this.users = options.users;
    this.contexts = options.contexts;
    this.currentContext = options.currentContext;
  }

  /** KUBECONFIG (its files that exist, merged), else ~/.kube/config, else the pod's service account, else localhost:8080 as client-node does. */
  loadFromDefault(): void {
    const files = process.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
    if (files.length > 0) {
      for (const file of files) {
        // As kubectl: a file in the list that does not exist is skipped.
        if (!existsSync(file)) continue;
        const loaded = parseKubeConfig(readFileSync(file, "utf8"), dirname(file));
        // As kubectl merges: the first file to name a cluster, user or context wins.
        merge(this.clusters, loaded.clusters);
        merge(this.users, loaded.users);
        merge(this.contexts, loaded.contexts);
        this.currentContext ||= loaded.currentContext;
      }
      return;
    }
    const home = process.env.HOME && readable(process.env.HOME) ? join(process.env.HOME, ".kube", "config") : undefined;
    if (home && existsSync(home)) return this.loadFromFile(home);
    if (existsSync(join(serviceAccountDir, "token"))) return this.loadInCluster();
    this.loadFromOptions({
      clusters: [{ name: "cluster", server: "http://localhost:8080", skipTLSVerify: false }],
      users: [{ name: "user" }],
      contexts: [{ name: "loaded-context", cluster: "cluster", user: "user" }],
      currentContext: "loaded-context",
    });
  }

  /** The pod's service account: the API server's address from the environment, its CA and a token file read as it rotates. */
  private loadInCluster(): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? "";
    const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
    const namespaceFile = join(serviceAccountDir, "namespace");
    this.loadFromOptions({
      clusters: [{ name: "inCluster", server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: join(serviceAccountDir, "ca.crt"), skipTLSVerify: false }],
      users: [{ name: "inClusterUser", authProvider: { name: "tokenFile", config: { tokenFile: join(serviceAccountDir, "token") } } }],
      contexts: [{ name: "inClusterContext", cluster: "inCluster", user: "inClusterUser", ...(existsSync(namespaceFile) ? { namespace: readFileSync(namespaceFile, "utf8").trim() } : {}) }],
      currentContext: "inClusterContext",
    });
  }

  getCurrentContext(): string {
    return this.currentContext;
  }

  setCurrentContext(name: string): void {
    this.currentContext = name;
  }

  getContextObject(name: string): Context | undefined {
    return this.contexts.find((context) => context.name === name);
  }

  getCurrentCluster(): Cluster | undefined {
    const context = this.getContextObject(this.currentContext);
    return context ? this.clusters.find((cluster) => cluster.name === context.cluster) : undefined;
  }

  getCurrentUser(): User | undefined {
    const context = this.getContextObject(this.currentContext);
    return context ? this.users.find((user) => user.name === context.user) : undefined;
  }

  /** The current context's TLS settings and credentials, as request options (what client-node's method of the same name sets, without an agent). */
  async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (!user) return;
    if (cluster?.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster?.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = cluster && fileOrData(cluster.caFile, cluster.caData);
    if (ca) opts.ca = ca;
    const cert = fileOrData(user.certFile, user.certData);
    if (cert) opts.cert = cert;
    const key = fileOrData(user.keyFile, user.keyData);
    if (key) opts.key = key;
    const headers = (opts.headers ??= {}) as Record<string, string>;
    if (user.impersonateUser) headers["Impersonate-User"] = user.impersonateUser;
    if (user.exec || user.authProvider) {
      const authenticator = (await (this.authenticators ??= credentialPlugins())).find((plugin) => plugin.isAuthProvider(user));
      await authenticator?.applyAuthentication(user, opts);
    }
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) opts.auth = `${user.username}:${user.password ?? ""}`;
  }
}

/** A kubeconfig file, or the standard rules when none is given. */
export function loadKubeConfig(params: { file?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (params.file) kubeConfig.loadFromFile(params.file);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/**
 * The same kubeconfig with new authenticators, for credentials the server no longer accepts:
 * exec plugins run again (client-node caches their output until it expires) and token files are
 * read again (client-node rereads them only once a minute).
 */
export function withFreshCredentials(kubeConfig: KubeConfig): KubeConfig {
  const fresh = new KubeConfig();
  fresh.loadFromOptions(kubeConfig);
  return fresh;
}

/** The library's credential plugins, in the order its KubeConfig asks them. */
async function credentialPlugins(): Promise<Authenticator[]> {
  const [{ AzureAuth }, { GoogleCloudPlatformAuth }, { ExecAuth }, { FileAuth }, { OpenIDConnectAuth }] = await Promise.all([
    import("@kubernetes/client-node/dist/azure_auth.js"),
    import("@kubernetes/client-node/dist/gcp_auth.js"),
    import("@kubernetes/client-node/dist/exec_auth.js"),
    import("@kubernetes/client-node/dist/file_auth.js"),
    import("@kubernetes/client-node/dist/oidc_auth.js"),
  ]);
  return [new AzureAuth(), new GoogleCloudPlatformAuth(), new ExecAuth(), new FileAuth(), new OpenIDConnectAuth()];
}

type Entry = Record<string, unknown> & { name?: unknown };

function parseKubeConfig(text: string, root: string | undefined): { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string } {
  const document = (parse(text) ?? {}) as Record<string, unknown>;
  if (typeof document !== "object" || Array.isArray(document)) throw new Error("kubeconfig is not a mapping");
  const path = (value: unknown) => (typeof value === "string" && root && !isAbsolute(value) ? join(root, value) : (value as string | undefined));
  const clusters = entries(document.clusters, "cluster").map(({ name, body, at }): Cluster => {
    if (typeof body.server !== "string" || !body.server) throw new Error(`kubeconfig: ${at}.cluster.server is missing`);
    return {
      name,
      server: body.server.replace(/\/$/, ""),
      caData: body["certificate-authority-data"] as string | undefined,
      caFile: path(body["certificate-authority"]),
      skipTLSVerify: body["insecure-skip-tls-verify"] === true,
      tlsServerName: body["tls-server-name"] as string | undefined,
      proxyUrl: body["proxy-url"] as string | undefined,
    };
  });
  const users = entries(document.users, "user", { optional: true }).map(({ name, body }): User => {
    const tokenFile = body.tokenFile ?? body["token-file"];
    const fileToken = typeof tokenFile === "string" && !body.token && !body["auth-provider"] && !body.exec;
    return {
      name,
      token: body.token as string | undefined,
      // The authenticator reads the file, again when it changes; kubectl reads it relative to the kubeconfig.
      authProvider: fileToken ? { name: "tokenFile", config: { tokenFile: path(tokenFile) } } : (body["auth-provider"] as Record<string, unknown> | undefined),
      exec: body.exec as Record<string, unknown> | undefined,
      certData: body["client-certificate-data"] as string | undefined,
      certFile: path(body["client-certificate"]),
      keyData: body["client-key-data"] as string | undefined,
      keyFile: path(body["client-key"]),
      username: body.username as string | undefined,
      password: body.password as string | undefined,
      impersonateUser: body.as as string | undefined,
    };
  });
  const contexts = entries(document.contexts, "context").map(({ name, body }): Context => ({ ...(body as Omit<Context, "name">), name }));
  const current = document["current-context"];
  return { clusters, users, contexts, currentContext: typeof current === "string" ? current : "" };
}

/** The named entries of a kubeconfig list (`clusters: [{name, cluster: {...}}]`); a broken entry is an error naming it. */
function entries(list: unknown, field: string, options: { optional?: boolean } = {}): Array<{ name: string; body: Record<string, unknown>; at: string }> {
  if (!Array.isArray(list)) return [];
  return (list as Entry[]).map((entry, index) => {
    const at = `${field}s[${index}]`;
    if (typeof entry?.name !== "string" || !entry.name) throw new Error(`kubeconfig: ${at}.name is missing`);
    const body = entry[field];
    if ((body === undefined || body === null) && options.optional) return { name: entry.name, body: {}, at };
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`kubeconfig: ${at}.${field} is missing`);
    return { name: entry.name, body: body as Record<string, unknown>, at };
  });
}

function merge<T extends { name: string }>(into: T[], from: T[]): void {
  for (const entry of from) if (!into.some((known) => known.name === entry.name)) into.push(entry);
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  return data ? Buffer.from(data, "base64") : undefined;
}

function readable(dir: string): boolean {
  try {
    accessSync(dir);
    return true;
  } catch {
    return false;
  }
}
