// Discovery kept on disk between runs of the command line, with kubectl's rules: one directory
// per API server (named from its host as kubectl names it), entries older than 6 hours are
// fetched again, and a kind the cache does not know makes Discovery fetch again at once (a CRD
// installed since). kubectl: k8s.io/cli-runtime/pkg/genericclioptions/config_flags.go
// (ToDiscoveryClient: ~/.kube/cache/discovery/<host>, time.Duration(6*time.Hour);
// computeDiscoverCacheDir) and k8s.io/client-go/discovery/cached/disk (the file's mtime is its age).
// The GitHub App's server keeps discovery in memory only: it runs for days and refreshes on a miss.
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ResourceMapping } from "./discovery.js";

/** What Discovery needs from a cache: mappings read back (undefined when missing or stale) and written after a fetch. */
export interface DiscoveryCache {
  read(): Promise<ResourceMapping[] | undefined>;
  write(mappings: ResourceMapping[]): Promise<void>;
}

/** kubectl's TTL for its disk-cached discovery. */
export const discoveryCacheTtlMs = 6 * 60 * 60 * 1000;

/** Bumped when the file's shape changes: an older file is then a miss, not an error. */
const formatVersion = 1;
const fileName = "slipway-discovery.json";

/** `$XDG_CACHE_HOME/slipway/discovery`, or `~/.cache/slipway/discovery`. */
export function defaultDiscoveryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(homedir(), ".cache");
  return join(base, "slipway", "discovery");
}

/**
 * kubectl's directory name for a server: the URL without its scheme, every character but letters,
 * digits, `_`, `/`, `.`, `(` and `)` made `_` (collisions are possible but unlikely, as kubectl says).
 */
export function serverCacheKey(server: URL): string {
  const schemeless = `${server.host}${server.pathname.replace(/\/+$/, "")}`;
  return schemeless.replace(/[^(\w/.)]/g, "_");
}

interface CacheFile {
  version: number;
  server: string;
  mappings: ResourceMapping[];
}

export function diskDiscoveryCache(params: { server: URL; dir?: string; ttlMs?: number; now?: () => number }): DiscoveryCache {
  const path = join(params.dir ?? defaultDiscoveryCacheDir(), serverCacheKey(params.server), fileName);
  const ttlMs = params.ttlMs ?? discoveryCacheTtlMs;
  const now = params.now ?? Date.now;
  return {
    async read() {
      // A cache that cannot be read is a miss: discovery is fetched from the server instead.
      const info = await stat(path).catch(() => undefined);
      if (!info || now() - info.mtimeMs >= ttlMs) return undefined;
      const text = await readFile(path, "utf8").catch(() => undefined);
      const file = text === undefined ? undefined : parseCacheFile(text);
      return file && file.server === params.server.href ? file.mappings : undefined;
    },
    async write(mappings) {
      // Written whole and renamed into place: a concurrent run reads the old file or the new one.
      const temporary = `${path}.${process.pid}.tmp`;
      const file: CacheFile = { version: formatVersion, server: params.server.href, mappings };
      try {
        await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
        await writeFile(temporary, JSON.stringify(file), { mode: 0o600 });
        await rename(temporary, path);
      } catch {
        // A cache that cannot be written (a read-only home, a full disk) costs the next run one
        // fetch of discovery; the plan itself does not depend on it.
      }
    },
  };
}

function parseCacheFile(text: string): CacheFile | undefined {
  try {
    const file = JSON.parse(text) as Partial<CacheFile>;
    return file.version === formatVersion && typeof file.server === "string" && Array.isArray(file.mappings) ? (file as CacheFile) : undefined;
  } catch {
    return undefined;
  }
}
