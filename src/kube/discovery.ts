// Maps apiVersion + kind to the REST resource and its scope, from the API server's
// aggregated discovery (two requests for the whole cluster; GA since Kubernetes 1.30:
// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#aggregated-discovery), or from
// the legacy endpoints when the server does not serve it.
import type { KubeClient } from "./client.js";
import type { DiscoveryCache } from "./discovery-cache.js";
import type { DiscoveryList } from "./discovery-list.js";
import { isAggregated, legacyDiscovery } from "./legacy-discovery.js";
import { groupOf, versionOf, type ObjectRef } from "../manifests/object.js";

export interface ResourceMapping {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

/**
 * Aggregated discovery first (v2, then v2beta1 for 1.26–1.29), and plain JSON last: a server
 * that serves neither answers with the legacy lists instead of refusing (406) the request.
 * client-go's discovery client asks the same way.
 */
const discoveryAccept = [
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
  "application/json",
].join(",");

/** A kind in a group version whose resources the server could not list: not "not served", but unknown. */
export class DiscoveryFailedError extends Error {
  override readonly name = "DiscoveryFailedError";
  constructor(
    readonly groupVersion: string,
    cause: unknown,
  ) {
    super(`the API server could not list the resources of ${groupVersion}: ${cause instanceof Error ? cause.message : "unknown error"}`, { cause });
  }
}

export interface DiscoveryOptions {
  /** A miss refreshes discovery (a CRD may have just been created), at most this often (default 2 s). */
  refreshIntervalMs: number;
  /**
   * Mappings kept between processes (the command line's disk cache, discovery-cache.ts). What it
   * holds is used without asking the server; a kind it does not know refreshes at once.
   */
  cache?: DiscoveryCache;
}

export const defaultDiscoveryOptions: DiscoveryOptions = { refreshIntervalMs: 2_000 };

export class Discovery {
  private mappings: Map<string, ResourceMapping> | undefined;
  /** Group versions legacy discovery could not read, by `group/version`. */
  private failed = new Map<string, unknown>();
  private loading: Promise<Map<string, ResourceMapping>> | undefined;
  /** When this process last fetched discovery from the server (0: never; cached mappings do not count). */
  private lastRefresh = 0;
  /** After invalidate(), the cache predates the change: fetch from the server. */
  private cacheStale = false;
  private readonly options: DiscoveryOptions;

  constructor(
    private readonly client: KubeClient,
    options: Partial<DiscoveryOptions> = {},
  ) {
    this.options = { ...defaultDiscoveryOptions, ...options };
  }

  /** The mapping for an object's apiVersion and kind, or undefined when the cluster does not serve it. */
  async find(ref: Pick<ObjectRef, "apiVersion" | "kind">): Promise<ResourceMapping | undefined> {
    const key = mappingKey(groupOf(ref.apiVersion), versionOf(ref.apiVersion), ref.kind);
    const found = (await this.load()).get(key);
    if (found || Date.now() - this.lastRefresh < this.options.refreshIntervalMs) return this.orFailure(ref, found);
    return this.orFailure(ref, (await this.load(true)).get(key));
  }

  /**
   * A synchronous lookup over what the cluster serves now. When one of `expected` is missing
   * (a CRD installed since discovery ran), discovery is refreshed first, at most every
   * refreshIntervalMs: a long-running server must not keep rejecting new kinds.
   */
  async snapshot(
    expected: ReadonlyArray<Pick<ObjectRef, "apiVersion" | "kind">> = [],
  ): Promise<(ref: Pick<ObjectRef, "apiVersion" | "kind">) => ResourceMapping | undefined> {
    let mappings = await this.load();
    const missing = expected.some((ref) => !mappings.has(mappingKey(groupOf(ref.apiVersion), versionOf(ref.apiVersion), ref.kind)));
    if (missing && Date.now() - this.lastRefresh >= this.options.refreshIntervalMs) mappings = await this.load(true);
    return (ref) => this.orFailure(ref, mappings.get(mappingKey(groupOf(ref.apiVersion), versionOf(ref.apiVersion), ref.kind)));
  }

  /** Forget what was discovered, after creating a CRD for example. */
  invalidate(): void {
    this.mappings = undefined;
    this.cacheStale = true;
  }

  private load(refresh = false): Promise<Map<string, ResourceMapping>> {
    if (this.mappings && !refresh) return Promise.resolve(this.mappings);
    const cached = !refresh && !this.cacheStale && this.options.cache;
    this.loading ??= (cached ? this.readCacheOrFetch(cached) : this.fetchAll()).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async readCacheOrFetch(cache: DiscoveryCache): Promise<Map<string, ResourceMapping>> {
    const cached = await cache.read();
    if (!cached) return this.fetchAll();
    // lastRefresh stays as it is: this process has not asked the server, so a miss asks at once.
    this.mappings = new Map(cached.map((mapping) => [mappingKey(mapping.group, mapping.version, mapping.kind), mapping]));
    this.failed = new Map();
    return this.mappings;
  }

  /** A missing mapping in a group version that could not be read throws rather than saying "not served". */
  private orFailure(ref: Pick<ObjectRef, "apiVersion" | "kind">, found: ResourceMapping | undefined): ResourceMapping | undefined {
    const failure = found ? undefined : this.failed.get(ref.apiVersion);
    if (failure !== undefined) throw new DiscoveryFailedError(ref.apiVersion, failure);
    return found;
  }

  private async fetchAll(): Promise<Map<string, ResourceMapping>> {
    const [core, groups] = await Promise.all(["/api", "/apis"].map((path) => this.client.request<unknown>({ method: "GET", path, accept: discoveryAccept })));
    let lists: DiscoveryList[];
    if (isAggregated(core?.body) && isAggregated(groups?.body)) {
      lists = [core.body, groups.body];
      this.failed = new Map();
    } else {
      const legacy = await legacyDiscovery(this.client, { core: core?.body ?? {}, groups: groups?.body ?? {} });
      lists = [legacy.list];
      this.failed = legacy.failed;
    }
    const mappings = new Map<string, ResourceMapping>();
    for (const list of lists) {
      for (const group of list?.items ?? []) {
        const groupName = group.metadata?.name ?? "";
        for (const version of group.versions ?? []) {
          for (const resource of version.resources ?? []) {
            const kind = resource.responseKind?.kind;
            if (!kind) continue;
            mappings.set(mappingKey(groupName, version.version, kind), {
              group: groupName,
              version: version.version,
              kind,
              resource: resource.resource,
              namespaced: resource.scope === "Namespaced",
              verbs: resource.verbs ?? [],
            });
          }
        }
      }
    }
    this.mappings = mappings;
    this.lastRefresh = Date.now();
    this.cacheStale = false;
    // Only a complete discovery is kept: a group version that could not be read is asked again next run.
    if (this.options.cache && this.failed.size === 0) await this.options.cache.write([...mappings.values()]);
    return mappings;
  }
}

const mappingKey = (group: string, version: string, kind: string) => `${group}/${version}/${kind}`;

/** The URL path of a collection or, with a name, of one object. */
export function resourcePath(mapping: ResourceMapping, params: { namespace?: string; name?: string }): string {
  const prefix = mapping.group === "" ? `/api/${mapping.version}` : `/apis/${mapping.group}/${mapping.version}`;
  const scope = mapping.namespaced && params.namespace ? `/namespaces/${encodeURIComponent(params.namespace)}` : "";
  const name = params.name ? `/${encodeURIComponent(params.name)}` : "";
  return `${prefix}${scope}/${mapping.resource}${name}`;
}
