// The state an earlier merge would have left: objects stamped exactly as Slipway stamps an
// environment's desired set, applied by its field manager.
import { defineEnvironment } from "../../src/config/schema.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { developmentConfigHashKey } from "../../src/config/server-security.js";
import { stampDesired } from "../../src/desired/desired-state.js";

export async function applyAsSlipway(params: { store: ObjectStore; environment: string; namespace: string; objects: KubeObject[] }): Promise<void> {
  const environment = defineEnvironment({ name: params.environment, paths: ["**"], namespace: params.namespace });
  const objects = params.objects.map((object) => ({ ...object, metadata: { namespace: params.namespace, ...object.metadata } }));
  for (const body of stampDesired({ objects, environment, configHashKey: developmentConfigHashKey }).bodies.values()) {
    await params.store.apply(body, { fieldManager: "slipway" });
  }
}
