// The body Slipway sends for an object: the manifest plus what marks it as Slipway's. The
// plan dry-runs exactly this body, so what the plan shows is what the apply will do.
import type { KubeObject } from "../manifests/object.js";

/** Label on every object Slipway applies; its value is the environment. Pruning requires it. */
export const environmentLabel = "slipway.dev/environment";

export function stampObject(object: KubeObject, params: { environment: string }): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [environmentLabel]: params.environment },
    },
  };
}
