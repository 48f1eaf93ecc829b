// The tree of a revert, from the trees of three commits: the merge, its first parent and the
// branch's head now. Every path the merge changed goes back to its parent's entry (a path the
// merge added is deleted); a path some later commit changed again is not clobbered: the plan
// names it, and a person reverts by hand. Pure: the Git Data API calls are in canary-revert.ts.

/** A tree entry as the Git Data API gives and takes it. https://docs.github.com/rest/git/trees */
export interface GitEntry {
  mode: "100644" | "100755" | "040000" | "160000" | "120000";
  type: "blob" | "tree" | "commit";
  sha: string;
}

/** Files (and submodules) by path; directories are left out, their files are listed. */
export type GitTree = ReadonlyMap<string, GitEntry>;

/** One entry of `POST /repos/{owner}/{repo}/git/trees`: `sha: null` deletes the path. */
export interface RevertTreeEntry {
  path: string;
  mode: GitEntry["mode"];
  type: GitEntry["type"];
  sha: string | null;
}

/** A file of `GET /repos/{owner}/{repo}/compare/{base}...{head}`, as Slipway reads it. */
export interface ChangedFile {
  filename: string;
  /** A rename's old path: the revert brings it back. */
  previousFilename?: string;
}

/**
 * - entries: what the revert's tree changes on top of the head's tree, sorted by path;
 * - changed-since: paths a later commit changed again, which the revert would undo too;
 * - already-reverted: the head already holds the parent's version of every path.
 */
export type RevertPlan =
  | { kind: "entries"; entries: RevertTreeEntry[] }
  | { kind: "changed-since"; paths: string[] }
  | { kind: "already-reverted" };

/** Every path a merge touched: each file's, and a rename's old one. */
export function changedPaths(files: readonly ChangedFile[]): string[] {
  const paths = new Set<string>();
  for (const file of files) {
    paths.add(file.filename);
    if (file.previousFilename !== undefined) paths.add(file.previousFilename);
  }
  return [...paths].sort();
}

export function planRevertTree(params: { paths: readonly string[]; parent: GitTree; merge: GitTree; head: GitTree }): RevertPlan {
  const entries: RevertTreeEntry[] = [];
  const changedSince: string[] = [];
  for (const path of [...new Set(params.paths)].sort()) {
    const before = params.parent.get(path);
    const merged = params.merge.get(path);
    const now = params.head.get(path);
    // The merge left it as it was (a mode-only compare entry that matches, a rename's twin).
    if (sameEntry(before, merged)) continue;
    // Someone already put it back as it was before the merge: nothing to undo, nothing to clobber.
    if (sameEntry(now, before)) continue;
    if (!sameEntry(now, merged)) {
      changedSince.push(path);
      continue;
    }
    if (before) entries.push({ path, mode: before.mode, type: before.type, sha: before.sha });
    // The merge added it (`merged` is there: `before` is not, and the two differ).
    else if (merged) entries.push({ path, mode: merged.mode, type: merged.type, sha: null });
  }
  if (changedSince.length > 0) return { kind: "changed-since", paths: changedSince };
  if (entries.length === 0) return { kind: "already-reverted" };
  return { kind: "entries", entries };
}

/** The same content and mode, or both absent. */
function sameEntry(a: GitEntry | undefined, b: GitEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.sha === b.sha && a.mode === b.mode && a.type === b.type;
}
