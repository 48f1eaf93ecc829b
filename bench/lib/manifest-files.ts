// The two revisions of the manifests on disk, as a checkout would have them: kubectl reads a
// directory, and Slipway is given the same files' contents (readManifests in tools.ts).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../../src/manifests/object.js";

export async function writeManifests(params: { dir: string; files: Array<{ path: string; objects: KubeObject[] }> }): Promise<void> {
  for (const file of params.files) {
    const target = join(params.dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.objects.map((object) => stringify(object)).join("---\n"));
  }
}
