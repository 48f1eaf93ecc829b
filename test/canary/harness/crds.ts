// Installs CRDs (and whatever else their files hold) from their released YAML with server-side
// apply, then waits until each CRD is Established and its kinds are discoverable. Idempotent:
// a second install by the same field manager changes nothing.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { ObjectStore } from "../../../src/kube/objects.js";
import type { KubeObject } from "../../../src/manifests/object.js";
import { waitFor } from "../../cluster/process.js";

interface CrdSpec {
  group: string;
  names: { kind: string };
  versions: Array<{ name: string; served: boolean }>;
}

export const crdFieldManager = "slipway-test-crds";

/** Resolves with the live CRDs, once each is Established and served. */
export async function installFromFiles(store: ObjectStore, files: string[], options: { timeoutMs?: number } = {}): Promise<KubeObject[]> {
  const objects = files.flatMap(readObjects);
  // Large CRDs (HTTPRoute's is 430 KB of YAML): server-side apply keeps no last-applied annotation,
  // which client-side apply would and which the 256 KiB annotation limit would refuse.
  await Promise.all(objects.map((object) => store.apply(object, { fieldManager: crdFieldManager, force: true })));
  const crds = objects.filter((object) => object.kind === "CustomResourceDefinition");
  store.discovery.invalidate();
  return Promise.all(
    crds.map(async (crd) => {
      const name = crd.metadata.name ?? "";
      const established = await waitFor({
        what: `CRD ${name} Established`,
        timeoutMs: options.timeoutMs ?? 30_000,
        probe: async () => {
          const live = await store.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name });
          const conditions = (live?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions;
          return conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ? live : undefined;
        },
      });
      const spec = crd.spec as CrdSpec;
      for (const version of spec.versions.filter((v) => v.served)) {
        const apiVersion = `${spec.group}/${version.name}`;
        // Discovery catches up with a new CRD a moment after it is Established.
        await waitFor({
          what: `${spec.names.kind} in ${apiVersion} in discovery`,
          timeoutMs: options.timeoutMs ?? 30_000,
          intervalMs: 500,
          probe: async () => ((await store.discovery.find({ apiVersion, kind: spec.names.kind })) ? true : undefined),
        });
      }
      return established;
    }),
  );
}

export function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, "utf8")).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    const object = document.toJS() as KubeObject | null;
    return object ? [object] : [];
  });
}
