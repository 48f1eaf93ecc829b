// Manifest files as Slipway reads them (from a tarball, the API, the disk), and their parsing
// into objects with positions. Validation against an environment's policy comes after.
import { parseManifestFile } from "./parse.js";
import type { Finding, SourceObject } from "./types.js";

export interface ManifestFile {
  /** Path inside the repository. */
  path: string;
  content: string | Buffer;
}

export interface LoadedSources {
  objects: SourceObject[];
  findings: Finding[];
}

export function parseFiles(files: ManifestFile[]): LoadedSources {
  const parsed = files.map((file) => parseManifestFile({ path: file.path, content: file.content }));
  return { objects: parsed.flatMap((file) => file.objects), findings: parsed.flatMap((file) => file.findings) };
}

/**
 * parseFiles, giving the event loop a turn after every file: run while requests are in flight,
 * the parsing then uses the CPU the API server leaves idle instead of holding the requests back.
 */
export async function parseFilesYielding(files: ManifestFile[]): Promise<LoadedSources> {
  const loaded: LoadedSources = { objects: [], findings: [] };
  for (const file of files) {
    const parsed = parseManifestFile({ path: file.path, content: file.content });
    loaded.objects.push(...parsed.objects);
    loaded.findings.push(...parsed.findings);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return loaded;
}
