// The "before" state: a fresh namespace holding the objects as an earlier merge would have
// left them, applied by Slipway's field manager with its label.
import type { ObjectStore } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { mapConcurrent } from "../../src/util/map-concurrent.js";
import { fieldManager } from "./tools.js";

export async function seedNamespace(params: { store: ObjectStore; namespace: string; objects: KubeObject[] }): Promise<void> {
  const { store } = params;
  await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: params.namespace } }, { fieldManager: "bench-setup" });
  // The objects come stamped from generateApps (apps.ts), as Slipway would have sent them.
  await mapConcurrent(params.objects, 16, (object) => store.apply(object, { fieldManager }));
}
