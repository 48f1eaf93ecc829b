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
import { applyLimitPhases, limitRequests, type LimitRequest } from "./api-limit.js";
import { benchEnvironment, generateApps, type AppFile } from "./apps.js";
import { connect, fieldManager, kubectlName } from "./tools.js";

/** Both tools read the same files from disk. */
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
export async function seedNamespace(params: { store: ObjectStore; namespace: string; objects: KubeObject[] }): Promise<void> {
  const { store } = params;
  await store.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: params.namespace } }, { fieldManager: "bench-setup" });
  // The objects come stamped from generateApps (apps.ts), as Slipway would have sent them.
  await mapConcurrent(params.objects, 16, (object) => store.apply(object, { fieldManager }));
}

// bench:plan, one size: a fresh namespace holding the "before" objects, and a checkout of the
// pull request's head: its .github/slipway.yml (the environment, as a repository defines it)
// and the changed manifests under apps/.
export interface PlanScenario {
  namespace: string;
  /** The checkout's root, where `slipway plan apps` runs. */
  root: string;
  /** The manifests as the pull request leaves them (half of the objects changed), under root: kubectl diffs this directory. */
  headDir: string;
  /** kubectl names of the objects the head revision changes. */
  edited: Set<string>;
  /** The API server's limit for this plan: the requests it must make at least (api-limit.ts). */
  limitRequests: LimitRequest[];
  /** For kubectl's temporary files. */
  scratchDir: string;
}

export async function preparePlanScenario(params: { size: number; kubeconfigPath: string; workDir: string }): Promise<PlanScenario> {
  const namespace = `bench-${params.size}-${randomBytes(3).toString("hex")}`;
  const apps = generateApps({ count: params.size, namespace });
  const root = join(params.workDir, namespace, "checkout");
  const headDir = join(root, "apps");
  // Only the file names under apps/: generateApps names them `apps/<app>.yaml`.
  await writeManifests({ dir: root, files: apps.map((app) => ({ path: app.path, objects: app.after })) });
  await writeRepoConfig({ root, namespace });
  const edited = new Set(
    apps.flatMap((app) => app.after.filter((after, index) => !isDeepStrictEqual(after, app.before[index])).map((after) => kubectlName(refOf(after)))),
  );
  const head = apps.flatMap((app) => app.after);
  const requests = limitRequests({ namespace, objects: head.map((object) => ({ kind: object.kind, name: object.metadata.name ?? "", body: object })) });
  const { client, store } = await connect(params.kubeconfigPath);
  try {
    await seedNamespace({ store, namespace, objects: apps.flatMap((app) => app.before) });
  } finally {
    client.close();
  }
  return { namespace, root, headDir, edited, limitRequests: requests, scratchDir: join(params.workDir, namespace, "kubectl") };
}

/** The environment the objects were stamped for (apps.ts), as the repository's configuration. */
async function writeRepoConfig(params: { root: string; namespace: string }): Promise<void> {
  const config = { environments: [{ name: benchEnvironment, paths: ["apps/**/*.yaml"], namespace: params.namespace, conflicts: "warn" }] };
  await mkdir(join(params.root, ".github"), { recursive: true });
  await writeFile(join(params.root, ".github", "slipway.yml"), stringify(config));
}

// bench:apply, one run: a fresh, empty namespace per tool, so that the first apply is a first
// apply for both, and in each its own copy of the same apps (the generated objects name their
// namespace), at both revisions on disk; and one more for the API server's limit, which makes the
// same changes with the fewest requests.

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

/** The three applies of a run, in order: what each must change is what the one before left. */
export type ApplyStep = "first" | "unchanged" | "changed";

export interface ApplyRunSetup {
  slipway: ToolNamespace;
  kubectl: ToolNamespace;
  /** With --before-app: the other build's namespace. */
  before?: ToolNamespace;
  /** The limit's requests per step, in a namespace of its own (api-limit.ts). */
  limit: Record<ApplyStep, LimitRequest[][]>;
  /** Display names, in Slipway's namespace, of the objects whose manifest `after` edits. */
  edited: Set<string>;
  /** Deployments that `after` changes only through the config hash: their ConfigMap was edited. */
  rehashed: Set<string>;
}

export async function prepareApplyRun(params: { size: number; label: string; kubeconfigPath: string; workDir: string; withBefore: boolean }): Promise<ApplyRunSetup> {
  const id = randomBytes(3).toString("hex");
  const prepare = async (tool: "slipway" | "before" | "kubectl" | "limit") => {
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
  const limit = await prepare("limit");
  const before = params.withBefore ? await prepare("before") : undefined;

  // Created here, untimed: kubectl cannot create the namespace of the objects it applies.
  const { client, store } = await connect(params.kubeconfigPath);
  try {
    for (const { namespace } of [slipway.side, kubectl.side, limit.side, ...(before ? [before.side] : [])]) await seedNamespace({ store, namespace, objects: [] });
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
  return { slipway: slipway.side, ...(before ? { before: before.side } : {}), kubectl: kubectl.side, limit: limitSteps(limit.side.namespace, limit.apps), edited, rehashed };
}

function limitSteps(namespace: string, apps: AppFile[]): Record<ApplyStep, LimitRequest[][]> {
  const objectsOf = (revision: "before" | "after", changes: (after: KubeObject, before: KubeObject | undefined) => boolean) =>
    apps.flatMap((app) => app[revision].map((object, index) => ({ kind: object.kind, name: object.metadata.name ?? "", body: object, changes: changes(object, app.before[index]) })));
  return {
    first: applyLimitPhases({ namespace, objects: objectsOf("before", () => true) }),
    unchanged: applyLimitPhases({ namespace, objects: objectsOf("before", () => false) }),
    changed: applyLimitPhases({ namespace, objects: objectsOf("after", (after, before) => !isDeepStrictEqual(after, before)) }),
  };
}
