// Whether a pull request's change to a file can change what a source renders.
import type { SourceCheck } from "./check-kustomization.js";

/** Whether the repository file `path` is one the source reads, or is under a directory it reads whole. */
export function dependsOn(dependencies: Pick<SourceCheck, "files" | "directories">, path: string): boolean {
  return dependencies.files.includes(path) || dependencies.directories.some((dir) => dir === "." || path.startsWith(`${dir}/`));
}
