// Paths a source names, resolved inside the directory that holds the repository's files: a
// reference that leaves it (by `..`, an absolute path or a symlink) or names a remote location is
// told apart, so that it is refused before any tool reads it.
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, resolve, sep } from "node:path";

export type ResolvedPath =
  | { kind: "inside"; /** Relative to the repository's root, with `/`. */ path: string; absolute: string; type: "file" | "directory" | "missing" }
  | { kind: "outside" }
  | { kind: "remote" };

// What kustomize would fetch rather than read: URLs of any scheme, scp-like git addresses, the
// hosts it knows without a scheme, go-getter forms and its query parameters.
const remotePatterns = [
  /^[a-z][a-z0-9+.-]*:\/\//i,
  /^[\w.-]+@[\w.-]+:/,
  /^(github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com)[/:]/i,
  /^git::/i,
  /\?(ref|version|timeout|submodules)=/,
  /\.git(\/\/|\/|$)/,
];

export function looksRemote(reference: string): boolean {
  return remotePatterns.some((pattern) => pattern.test(reference.trim()));
}

/**
 * Resolves `reference`, written in the repository directory `from` (relative to the root), against
 * the files under `root`. A path that exists is followed through symlinks, which must stay inside
 * too; a missing one is judged by its text alone.
 */
export async function resolveInRepository(params: { root: string; from: string; reference: string }): Promise<ResolvedPath> {
  const { root, from, reference } = params;
  if (looksRemote(reference)) return { kind: "remote" };
  if (isAbsolute(reference)) return { kind: "outside" };
  const absolute = resolve(root, from, reference);
  if (!isWithin(root, absolute)) return { kind: "outside" };
  const info = await stat(absolute).catch(() => undefined);
  if (!info) return { kind: "inside", path: toRepositoryPath(root, absolute), absolute, type: "missing" };
  const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(absolute)]);
  if (!isWithin(realRoot, realTarget)) return { kind: "outside" };
  return { kind: "inside", path: toRepositoryPath(root, absolute), absolute, type: info.isDirectory() ? "directory" : "file" };
}

export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** `root/a/b.yaml` → `a/b.yaml`; the root itself is `.`. */
export function toRepositoryPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join(posix.sep) || ".";
}

/** A repository path to an absolute path under `root`, or undefined when it would leave it. */
export function underRoot(root: string, path: string): string | undefined {
  if (isAbsolute(path)) return undefined;
  const absolute = join(root, path);
  return isWithin(root, absolute) ? absolute : undefined;
}
