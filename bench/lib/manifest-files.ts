// The two revisions of the manifests on disk, as a checkout would have them: kubectl reads a
// directory, and Slipway is given the same files' contents.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../../src/manifests/object.js";
import type { ManifestFile } from "../../src/manifests/manifest-file.js";

export async function writeManifests(params: { dir: string; files: Array<{ path: string; objects: KubeObject[] }> }): Promise<void> {
  for (const file of params.files) {
    const target = join(params.dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.objects.map((object) => stringify(object)).join("---\n"));
  }
}

/** Every YAML file under `dir`, with its path relative to `dir` as a repository path. */
export async function readManifests(dir: string): Promise<ManifestFile[]> {
  // Relative paths; the directories themselves (`apps`) do not end in .yaml.
  const paths = (await readdir(dir, { recursive: true })).filter((path) => /\.ya?ml$/.test(path)).sort();
  return Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, path)) })));
}
