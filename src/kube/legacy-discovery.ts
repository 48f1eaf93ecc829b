// Discovery for API servers that do not serve aggregated discovery (before Kubernetes 1.26, or
// behind a proxy that drops the media type): they answer /api and /apis with the plain
// APIVersions and APIGroupList, and each group version's resources come from
// /api/v1 and /apis/<group>/<version>, one request each, as kubectl's legacy discovery reads them.
// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#unaggregated-discovery
import type { KubeClient } from "./client.js";
import type { DiscoveryList } from "./discovery-list.js";

interface ApiVersions {
  kind?: string;
  versions?: string[];
}

interface ApiGroupList {
  kind?: string;
  groups?: Array<{ name: string; versions?: Array<{ version: string }> }>;
}

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

export interface LegacyDiscovery {
  list: DiscoveryList;
  /** Group versions (`apps/v1`, `v1`) whose resources could not be read, and why. */
  failed: Map<string, unknown>;
}

/** Whether an answer to /api or /apis is the aggregated list, rather than a legacy one. */
export const isAggregated = (body: unknown): body is DiscoveryList =>
  typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "APIGroupDiscoveryList";

/**
 * The aggregated list, built from the legacy answers to /api and /apis and one request per group
 * version. A group version that cannot be read (an aggregated API server that is down, as
 * metrics-server often is) does not fail the others: it is recorded in `failed`.
 */
export async function legacyDiscovery(client: KubeClient, answers: { core: ApiVersions; groups: ApiGroupList }): Promise<LegacyDiscovery> {
  const groupVersions = [
    ...(answers.core.versions ?? []).map((version) => ({ group: "", version })),
    ...(answers.groups.groups ?? []).flatMap((group) => (group.versions ?? []).map(({ version }) => ({ group: group.name, version }))),
  ];
  const failed = new Map<string, unknown>();
  const lists = await Promise.all(
    groupVersions.map(async ({ group, version }) => {
      const groupVersion = group ? `${group}/${version}` : version;
      try {
        const { body } = await client.request<ApiResourceList>({ method: "GET", path: group ? `/apis/${groupVersion}` : `/api/${version}` });
        return { group, version, resources: body.resources ?? [] };
      } catch (error) {
        failed.set(groupVersion, error);
        return { group, version, resources: [] };
      }
    }),
  );
  const byGroup = new Map<string, NonNullable<DiscoveryList["items"]>[number]>();
  for (const { group, version, resources } of lists) {
    const item = byGroup.get(group) ?? { metadata: { name: group }, versions: [] };
    byGroup.set(group, item);
    item.versions?.push({
      version,
      resources: resources
        // `deployments/scale` and the like are subresources, not kinds of their own.
        .filter((resource) => !resource.name.includes("/"))
        .map((resource) => ({
          resource: resource.name,
          responseKind: { kind: resource.kind },
          scope: resource.namespaced ? "Namespaced" : "Cluster",
          verbs: resource.verbs ?? [],
        })),
    });
  }
  return { list: { items: [...byGroup.values()] }, failed };
}
