// A canary's state in the cluster: one ConfigMap per canary in the environment's inventory
// namespace, written with optimistic concurrency (a PUT with the resourceVersion it read), so two
// copies of the server never both move one canary: the second write fails and is dropped.
import { canaryOfLabel } from "../desired/canary.js";
import { environmentLabel } from "../desired/stamp.js";
import type { ObjectStore } from "../kube/objects.js";
import { isApiError } from "../kube/errors.js";
import { resourcePath } from "../kube/discovery.js";
import { isPlainObject, type KubeObject } from "../manifests/object.js";
import type { CanaryState } from "./types.js";

export const canaryStateLabel = "slipway.dev/canary-state";
const dataKey = "state.json";

export interface StoredCanaryState {
  state: CanaryState;
  /** What the next write must match. */
  resourceVersion: string;
  namespace: string;
  name: string;
}

/** Another writer changed the state since it was read: read it again and decide again. */
export class CanaryStateConflict extends Error {
  override readonly name = "CanaryStateConflict";
}

export async function readCanaryState(store: ObjectStore, where: { namespace: string; name: string }): Promise<StoredCanaryState | undefined> {
  const live = await store.get({ apiVersion: "v1", kind: "ConfigMap", ...where });
  return live ? parseStored(live) : undefined;
}

/** Every canary state of the namespace (of one environment, when given). */
export async function listCanaryStates(store: ObjectStore, namespace: string, environment?: string): Promise<StoredCanaryState[]> {
  const selector = environment ? `${canaryStateLabel}=true,${environmentLabel}=${environment}` : `${canaryStateLabel}=true`;
  const items = await store.list({ apiVersion: "v1", kind: "ConfigMap", namespace, labelSelector: selector });
  return items.flatMap((item) => {
    const stored = parseStored(item);
    return stored ? [stored] : [];
  });
}

/**
 * Creates the state (`resourceVersion` undefined) or replaces it if it still has that version.
 * Throws CanaryStateConflict when someone else wrote first.
 */
export async function writeCanaryState(
  store: ObjectStore,
  where: { namespace: string; name: string },
  state: CanaryState,
  resourceVersion: string | undefined,
): Promise<StoredCanaryState> {
  const mapping = await store.mapping({ apiVersion: "v1", kind: "ConfigMap" });
  const body: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: where.name,
      namespace: where.namespace,
      labels: { [canaryStateLabel]: "true", [environmentLabel]: state.environment, [canaryOfLabel]: state.workload, "app.kubernetes.io/managed-by": "slipway" },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [dataKey]: JSON.stringify(state) },
  };
  try {
    const response = resourceVersion
      ? await store.client.request<KubeObject>({ method: "PUT", path: resourcePath(mapping, { namespace: where.namespace, name: where.name }), body })
      : await store.client.request<KubeObject>({ method: "POST", path: resourcePath(mapping, { namespace: where.namespace }), body });
    return { state, resourceVersion: versionOf(response.body), namespace: where.namespace, name: where.name };
  } catch (error) {
    if (isApiError(error) && error.statusCode === 409) throw new CanaryStateConflict(`the canary state ${where.namespace}/${where.name} changed while it was being updated`);
    throw error;
  }
}

function parseStored(object: KubeObject): StoredCanaryState | undefined {
  const data = isPlainObject(object.data) ? object.data : {};
  const text = data[dataKey];
  if (typeof text !== "string") return undefined;
  try {
    const state = JSON.parse(text) as CanaryState;
    if (state.version !== 1) return undefined;
    return { state, resourceVersion: versionOf(object), namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "" };
  } catch {
    return undefined;
  }
}

const versionOf = (object: KubeObject): string => (typeof object.metadata.resourceVersion === "string" ? object.metadata.resourceVersion : "");
