// One size's scenario: a fresh namespace holding the "before" objects, and both revisions of
// the manifests on disk.
import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { refOf } from "../../src/manifests/object.js";
import { generateApps } from "./apps.js";
import { writeManifests } from "./manifest-files.js";
import { seedNamespace } from "./seed-namespace.js";
import { connect, kubectlName } from "./tools.js";

export interface Scenario {
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

export async function prepareScenario(params: { size: number; kubeconfigPath: string; workDir: string }): Promise<Scenario> {
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
