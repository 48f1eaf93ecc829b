// Manifest files from the local disk, and the same paths at a Git revision (`--base`).
import { execFile, spawn } from "node:child_process";
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

/**
 * Every file of the repository in the working tree that `wanted` accepts, for a kustomize or helm
 * source to render from: in a Git repository the files Git tracks or would track (not ignored),
 * elsewhere every file under `root` but .git and node_modules.
 */
export async function readWorkingTree(root: string, wanted: (path: string) => boolean): Promise<ManifestFile[]> {
  const listed = await git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).catch(() => undefined);
  const names = listed !== undefined ? [...new Set(listed.split("\0").filter(Boolean))] : await walk(root);
  const files: ManifestFile[] = [];
  for (const name of names.filter(wanted).sort()) {
    // Listed but deleted in the working tree, or not a regular file (a submodule): not there to render.
    const info = await stat(join(root, name)).catch(() => undefined);
    if (info?.isFile()) files.push({ path: name, content: await readFile(join(root, name)) });
  }
  return files;
}

/** The files at a Git revision that `wanted` accepts, read in one `git cat-file --batch`. */
export async function readGitFiles(params: { ref: string; root: string; wanted: (path: string) => boolean }): Promise<ManifestFile[]> {
  const listing = await git(params.root, ["ls-tree", "-r", "-z", "--full-tree", params.ref]);
  // "<mode> blob <sha>\t<path>": regular files only (no symlinks, 120000, or submodules).
  const blobs = listing
    .split("\0")
    .map((entry) => /^(100644|100755) blob ([0-9a-f]+)\t(.*)$/s.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null && params.wanted(match[3]!))
    .map((match) => ({ sha: match[2]!, path: match[3]! }));
  if (blobs.length === 0) return [];
  const batch = await gitBytes(params.root, ["cat-file", "--batch"], blobs.map((blob) => `${blob.sha}\n`).join(""));
  const files: ManifestFile[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = batch.indexOf(10, offset);
    const size = Number(/ (\d+)$/.exec(batch.subarray(offset, headerEnd).toString("utf8"))?.[1]);
    files.push({ path: blob.path, content: batch.subarray(headerEnd + 1, headerEnd + 1 + size) });
    offset = headerEnd + 1 + size + 1;
  }
  return files;
}

async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !/(^|\/)(\.git|node_modules)\//.test(path));
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

async function gitBytes(cwd: string, args: string[], input: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out));
      else reject(new UsageError(`git ${args[0]} failed: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.end(input);
  });
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
