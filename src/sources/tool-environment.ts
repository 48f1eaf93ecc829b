// The whole environment a rendering tool runs with: fresh, empty directories for everything it
// would read from or write to in a home directory, and nothing of the server's (no GITHUB_*, no
// PRIVATE_KEY, no KUBECONFIG, no PATH to other programs). So no Helm repository, registry login
// or plugin and no kustomize plugin of the server's is ever seen, and an error the tool prints
// cannot quote a secret it never had.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Runs `use` with a minimal environment in a scratch directory of its own, removed after. */
export async function withToolEnvironment<T>(use: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), "slipway-render-env-"));
  try {
    return await use(await toolEnvironment(scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function toolEnvironment(scratch: string): Promise<Record<string, string>> {
  const dir = (name: string) => join(scratch, name);
  const empty = ["home", "config", "cache", "data", "tmp", "bin", "helm-plugins", "kustomize-plugins"];
  await Promise.all(empty.map((name) => mkdir(dir(name), { recursive: true })));
  return {
    // An empty directory: neither tool needs another program, and kustomize would run `git` to
    // fetch a remote base (refused before it runs; this is the second line).
    PATH: dir("bin"),
    HOME: dir("home"),
    TMPDIR: dir("tmp"),
    XDG_CONFIG_HOME: dir("config"),
    XDG_CACHE_HOME: dir("cache"),
    XDG_DATA_HOME: dir("data"),
    // Helm's own homes follow XDG_*; the plugins directory is empty, and plugins are off besides.
    HELM_PLUGINS: dir("helm-plugins"),
    HELM_NO_PLUGINS: "1",
    HELM_REPOSITORY_CONFIG: join(dir("config"), "helm", "repositories.yaml"),
    HELM_REGISTRY_CONFIG: join(dir("config"), "helm", "registry", "config.json"),
    // A file that does not exist: `helm template` never talks to a cluster, and must not find the server's.
    KUBECONFIG: join(dir("home"), "no-kubeconfig"),
    KUSTOMIZE_PLUGIN_HOME: dir("kustomize-plugins"),
  };
}
