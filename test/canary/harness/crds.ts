// Installs CRDs (and whatever else their files hold) from their released YAML with server-side
// apply, then waits until each CRD is Established and its kinds are discoverable. Idempotent:
// a second install by the same field manager changes nothing.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { ObjectStore } from "../../../src/kube/objects.js";
import type { KubeObject } from "../../../src/manifests/object.js";
import type { CanaryAssets } from "../../cluster/canary-assets.js";
import { waitFor } from "../../cluster/process.js";

interface CrdSpec {
  group: string;
  names: { kind: string };
  versions: Array<{ name: string; served: boolean }>;
}

export const crdFieldManager = "slipway-test-crds";

const established = (crd: KubeObject) =>
  (crd.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.some(
    (condition) => condition.type === "Established" && condition.status === "True",
  ) ?? false;

/**
 * The Gateway API and Istio CRDs, installed once per test run: every run starts a fresh
 * cluster, so CRDs that are there and Established came from an earlier file of the same run,
 * from the same files. Resolves with whether this call installed them.
 */
export async function installCanaryCrds(store: ObjectStore, assets: CanaryAssets): Promise<{ installed: boolean; crds: number }> {
  const files = [...assets.gatewayApiCrds, ...assets.istioCrds];
  const wanted = files.flatMap(readObjects).filter((object) => object.kind === "CustomResourceDefinition");
  const live = await store.list({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" });
  const ready = new Set(live.filter(established).map((crd) => crd.metadata.name));
  if (wanted.every((crd) => ready.has(crd.metadata.name))) return { installed: false, crds: wanted.length };
  return { installed: true, crds: (await installFromFiles(store, files)).length };
}

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
      const live = await waitFor({
        what: `CRD ${name} Established`,
        timeoutMs: options.timeoutMs ?? 30_000,
        probe: async () => {
          const current = await store.get({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name });
          return current && established(current) ? current : undefined;
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
      return live;
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
