// Manifest files from the local disk, and the same paths at a Git revision (`--base`).
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import type { ManifestFile } from "../manifests/manifest-file.js";

const run = promisify(execFile);
const manifestExtensions = /\.(ya?ml|json)$/i;

/** Files under the given paths (directories recursively), as paths relative to `root`. */
export async function readLocalManifests(paths: string[], root: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of paths) {
    for (const file of await listFiles(resolve(path))) {
      files.push({ path: relative(root, file), content: await readFile(file) });
    }
  }
  return files;
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`no such file or directory: ${path}`);
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && manifestExtensions.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The manifests under the same paths at a Git revision: what a pull request's base holds. */
export async function readGitManifests(params: { ref: string; paths: string[]; root: string }): Promise<ManifestFile[]> {
  const pathspecs = params.paths.map((path) => relative(params.root, resolve(path)) || ".");
  const listing = await git(params.root, ["ls-tree", "-r", "-z", "--name-only", params.ref, "--", ...pathspecs]);
  const names = listing.split("\0").filter((name) => name && manifestExtensions.test(name));
  return Promise.all(
    names.map(async (name) => ({ path: name, content: await git(params.root, ["show", `${params.ref}:${name}`]) })),
  );
}

export async function gitRoot(cwd: string): Promise<string | undefined> {
  return (await git(cwd, ["rev-parse", "--show-toplevel"]).catch(() => undefined))?.trim();
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UsageError(`git ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
