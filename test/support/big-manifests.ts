// Big but valid manifests, for the tests of parsing off the event loop: files of about 1 MiB
// (the most a file may hold) of ConfigMaps with a hundred keys each, which the yaml package takes
// a real while to parse (some 0.3 s per file on a 2-core machine).
import type { ManifestFile } from "../../src/manifests/manifest-file.js";

const MiB = 1024 * 1024;

/** One file of ConfigMaps named `<prefix>-<n>`, just under `bytes` long. */
export function configMapsFile(prefix: string, bytes = MiB, keysEach = 100): string {
  const documents: string[] = [];
  let size = 0;
  for (let index = 0; ; index++) {
    const data = Array.from({ length: keysEach }, (_, key) => `  key-${key}: "value ${key} of ${prefix}-${index}, with a few words to read"`);
    const document = ["apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: ${prefix}-${index}`, "  labels:", `    app: ${prefix}`, "data:", ...data, ""].join("\n");
    if (size + document.length + 4 > bytes) break;
    documents.push(document);
    size += document.length + 4;
  }
  return documents.join("---\n");
}

/** `count` such files under `dir`, by path. */
export function bigManifests(count: number, dir = "deploy", bytes = MiB, keysEach = 100): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`${dir}/big-${index}.yaml`, configMapsFile(`big-${index}`, bytes, keysEach)]));
}

export const asManifestFiles = (files: Record<string, string>): ManifestFile[] => Object.entries(files).map(([path, content]) => ({ path, content: Buffer.from(content) }));
