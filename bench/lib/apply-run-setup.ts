// One run of the apply benchmark: a fresh, empty namespace per tool, so that the first apply
// is a first apply for both, and in each its own copy of the same apps (the generated objects
// name their namespace), at both revisions on disk.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { displayName, refOf, type ObjectRef } from "../../src/manifests/object.js";
import { generateApps } from "./apps.js";
import { writeManifests } from "./manifest-files.js";
import { seedNamespace } from "./seed-namespace.js";
import { connect } from "./tools.js";

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
