// What each benchmark runs against, set up untimed: the generated manifests on disk at both
// revisions, as a checkout would have them, and fresh namespaces in the cluster.
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import type { ObjectStore } from "../../src/kube/objects.js";
import { displayName, refOf, type KubeObject, type ObjectRef } from "../../src/manifests/object.js";
import { mapConcurrent } from "../../src/util/map-concurrent.js";
import { generateApps } from "./apps.js";
import { connect, fieldManager, kubectlName } from "./tools.js";

/** kubectl reads a directory, and Slipway is given the same files' contents (readManifests in tools.ts). */
async function writeManifests(params: { dir: string; files: Array<{ path: string; objects: KubeObject[] }> }): Promise<void> {
  for (const file of params.files) {
    const target = join(params.dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.objects.map((object) => stringify(object)).join("---\n"));
  }
}

/**
 * The "before" state: a fresh namespace holding the objects as an earlier merge would have
 * left them, applied by Slipway's field manager with its label.
 */
async function seedNamespace(params: { store: ObjectStore; namespace: string; objects: KubeObject[] }): Promise<void> {
  const { store } = params;
  await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: params.namespace } }, { fieldManager: "bench-setup" });
  // The objects come stamped from generateApps (apps.ts), as Slipway would have sent them.
  await mapConcurrent(params.objects, 16, (object) => store.apply(object, { fieldManager }));
}

// bench:plan, one size: a fresh namespace holding the "before" objects, and both revisions of
// the manifests on disk.
export interface PlanScenario {
  namespace: string;
  /** The manifests as the pull request leaves them (half of the objects changed). */
  headDir: string;
  /** The same files before the change: what is live. */
  baseDir: string;
  /** kubectl names of the objects the head revision changes. */
  edited: Set<string>;
  /** For kubectl's temporary files. */
  scratchDir: string;
}

export async function preparePlanScenario(params: { size: number; kubeconfigPath: string; workDir: string }): Promise<PlanScenario> {
  const namespace = `bench-${params.size}-${randomBytes(3).toString("hex")}`;
  const apps = generateApps({ count: params.size, namespace });
  const headDir = join(params.workDir, namespace, "head");
  const baseDir = join(params.workDir, namespace, "base");
  await writeManifests({ dir: baseDir, files: apps.map((app) => ({ path: app.path, objects: app.before })) });
  await writeManifests({ dir: headDir, files: apps.map((app) => ({ path: app.path, objects: app.after })) });
  const edited = new Set(
    apps.flatMap((app) => app.after.filter((after, index) => !isDeepStrictEqual(after, app.before[index])).map((after) => kubectlName(refOf(after)))),
  );
  const { client, store } = await connect(params.kubeconfigPath);
  try {
    await seedNamespace({ store, namespace, objects: apps.flatMap((app) => app.before) });
  } finally {
    client.close();
  }
  return { namespace, headDir, baseDir, edited, scratchDir: join(params.workDir, namespace, "kubectl") };
}

// bench:apply, one run: a fresh, empty namespace per tool, so that the first apply is a first
// apply for both, and in each its own copy of the same apps (the generated objects name their
// namespace), at both revisions on disk.

/** The `after` revision edits every 10th object: 10% of them, of every kind. */
export const changeEvery = 10;

export interface ToolNamespace {
  namespace: string;
  /** The manifests as first applied. */
  beforeDir: string;
  /** The same with every 10th object edited. */
  afterDir: string;
  /** For kubectl's discovery cache. */
  scratchDir: string;
  objects: ObjectRef[];
}

export interface ApplyRunSetup {
  slipway: ToolNamespace;
  kubectl: ToolNamespace;
  /** Display names, in Slipway's namespace, of the objects whose manifest `after` edits. */
  edited: Set<string>;
  /** Deployments that `after` changes only through the config hash: their ConfigMap was edited. */
  rehashed: Set<string>;
}

export async function prepareApplyRun(params: { size: number; label: string; kubeconfigPath: string; workDir: string }): Promise<ApplyRunSetup> {
  const id = randomBytes(3).toString("hex");
  const prepare = async (tool: "slipway" | "kubectl") => {
    const namespace = `apply-${params.size}-${params.label}-${id}-${tool}`;
    const apps = generateApps({ count: params.size, namespace, changeEvery });
    const dir = join(params.workDir, namespace);
    const side: ToolNamespace = {
      namespace,
      beforeDir: join(dir, "before"),
      afterDir: join(dir, "after"),
      scratchDir: join(dir, "kubectl"),
      objects: apps.flatMap((app) => app.before.map(refOf)),
    };
    await writeManifests({ dir: side.beforeDir, files: apps.map((app) => ({ path: app.path, objects: app.before })) });
    await writeManifests({ dir: side.afterDir, files: apps.map((app) => ({ path: app.path, objects: app.after })) });
    return { side, apps };
  };
  const slipway = await prepare("slipway");
  const kubectl = await prepare("kubectl");

  // Created here, untimed: kubectl cannot create the namespace of the objects it applies.
  const { client, store } = await connect(params.kubeconfigPath);
  try {
    for (const { namespace } of [slipway.side, kubectl.side]) await seedNamespace({ store, namespace, objects: [] });
  } finally {
    client.close();
  }

  const edited = new Set<string>();
  const rehashed = new Set<string>();
  for (const app of slipway.apps) {
    app.after.forEach((after, index) => {
      const name = displayName(refOf(after));
      if (app.edited[index]) edited.add(name);
      else if (!isDeepStrictEqual(after, app.before[index])) rehashed.add(name);
    });
  }
  return { slipway: slipway.side, kubectl: kubectl.side, edited, rehashed };
}
