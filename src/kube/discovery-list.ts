// The shape of aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), the one
// Slipway reads resources from; legacy discovery is translated into it.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#aggregated-discovery
export interface DiscoveryList {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{
        resource: string;
        responseKind?: { group?: string; version?: string; kind?: string };
        scope?: "Namespaced" | "Cluster";
        verbs?: string[];
      }>;
    }>;
  }>;
}
