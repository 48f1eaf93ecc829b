// Loading kubeconfigs: @kubernetes/client-node's standard rules (KUBECONFIG, ~/.kube/config,
// in-cluster), plus the token files it reads only once or not at all. kubectl's `tokenFile` user
// field (client-go's `TokenFile`) is ignored by client-node, and its own spelling `token-file` is
// read once, at load, so a rotated token would be sent forever. Both become client-node's
// token-file authenticator (the one it uses in-cluster), which reads the file again.
// https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/#AuthInfo
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";

/** A kubeconfig file, or the standard rules when none is given. */
export function loadKubeConfig(params: { file?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (params.file) kubeConfig.loadFromFile(params.file);
  else kubeConfig.loadFromDefault();
  const tokenFiles = tokenFilesIn(params.file ? [params.file] : defaultFiles());
  for (const user of kubeConfig.users) {
    const file = tokenFiles.get(user.name);
    if (!file) continue;
    // The authenticator reads the file; a token copied from it at load time would win over it.
    Object.assign(user, { token: undefined, authProvider: { name: "tokenFile", config: { tokenFile: file } } });
  }
  return kubeConfig;
}

/**
 * The same kubeconfig with new authenticators, for credentials the server no longer accepts:
 * exec plugins run again (client-node caches their output until it expires) and token files are
 * read again (client-node rereads them only once a minute).
 */
export function withFreshCredentials(kubeConfig: KubeConfig): KubeConfig {
  const fresh = new KubeConfig();
  fresh.loadFromOptions({
    clusters: kubeConfig.clusters,
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return fresh;
}

/** The files the standard rules read, in order (the first file naming a user wins, as in kubectl). */
function defaultFiles(): string[] {
  const fromEnv = process.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
  if (fromEnv.length > 0) return fromEnv;
  const home = join(homedir(), ".kube", "config");
  return existsSync(home) ? [home] : [];
}

/** User name → absolute token file path, for users that name a token file and no token. */
function tokenFilesIn(files: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = parse(readFileSync(file, "utf8"));
    } catch {
      // client-node has read (or refused) this file already; it holds no token file of ours.
      continue;
    }
    const users = (parsed as { users?: unknown } | null)?.users;
    if (!Array.isArray(users)) continue;
    for (const entry of users as Array<{ name?: unknown; user?: Record<string, unknown> }>) {
      const path = entry.user?.tokenFile ?? entry.user?.["token-file"];
      if (typeof entry.name !== "string" || typeof path !== "string" || entry.user?.token || found.has(entry.name)) continue;
      // Relative paths in a kubeconfig are relative to the file, as kubectl resolves them.
      found.set(entry.name, isAbsolute(path) ? path : join(dirname(file), path));
    }
  }
  return found;
}
