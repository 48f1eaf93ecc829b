// The live objects of a plan, read with one LIST per kind and namespace where many objects
// share them, instead of one GET each: the API server answers a LIST from its watch cache,
// so a 500-object plan costs a handful of reads instead of 500.
import type { ObjectStore } from "../kube/objects.js";
import { identityKey, refOf, type KubeObject } from "../manifests/object.js";

/** Below this many objects of one kind in one namespace, single GETs are cheaper than a LIST. */
const listThreshold = 8;

/**
 * Live objects by `identityKey` for the objects whose kind and namespace were listed; objects
 * not in the map were not listed (the caller GETs them), and listed ones that do not exist map
 * to undefined.
 */
export async function prefetchLive(store: ObjectStore, bodies: KubeObject[], signal?: AbortSignal): Promise<Map<string, KubeObject | undefined>> {
  const groups = new Map<string, KubeObject[]>();
  for (const body of bodies) {
    const key = `${body.apiVersion}|${body.kind}|${body.metadata.namespace ?? ""}`;
    const group = groups.get(key);
    if (group) group.push(body);
    else groups.set(key, [body]);
  }
  const live = new Map<string, KubeObject | undefined>();
  await Promise.all(
    [...groups.values()]
      .filter((group) => group.length >= listThreshold)
      .map(async (group) => {
        const [first] = group;
        if (!first) return;
        const items = await store.list({ apiVersion: first.apiVersion, kind: first.kind, namespace: first.metadata.namespace }, { signal });
        const byKey = new Map(items.map((item) => [identityKey(refOf(item)), item]));
        for (const body of group) live.set(identityKey(refOf(body)), byKey.get(identityKey(refOf(body))));
      }),
  );
  return live;
}
