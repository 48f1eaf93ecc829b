// The directory a source is rendered in: the repository's files at one commit (as read from its
// tarball, or from Git), written to a fresh temporary directory and nothing else. Only regular
// files are written, never symlinks, and a path that would leave the directory is refused.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { underRoot } from "./repository-path.js";

export interface RepositoryFiles {
  root: string;
  /** Removes the directory and everything in it. */
  remove: () => Promise<void>;
}

export async function writeRepositoryFiles(files: ReadonlyArray<ManifestFile>): Promise<RepositoryFiles> {
  const root = await mkdtemp(join(tmpdir(), "slipway-repo-"));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    for (const file of files) {
      const path = underRoot(root, file.path);
      // The tarball reader and Git give repository paths; anything else is a bug, not input.
      if (!path || path === root) throw new Error(`not a path inside the repository: ${JSON.stringify(file.path)}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: 0o600 });
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { root, remove };
}
