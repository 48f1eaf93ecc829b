// A failed `kustomize build` as a finding on the file that caused it. kustomize nests its errors
// ("accumulating resources: … recursed accumulation of path '/tmp/…/base': …"): the deepest
// kustomization named is where it went wrong, and a file named after it ("accumulating resources
// from 'service.yaml'", "in File: service.yaml") is the one to fix. Absolute paths of the
// temporary directory are written as repository paths.
import { posix } from "node:path";
import { sourceFinding, type SourceFinding } from "./findings.js";
import { kustomizationFileNames } from "./kustomization-file.js";

export function kustomizeErrorFinding(params: {
  stderr: string;
  /** The directory that held the repository's files when kustomize ran. */
  root: string;
  source: string;
  /** Whether a repository path is a file (to pick what the error names over its kustomization). */
  isFile: (path: string) => boolean;
}): SourceFinding {
  const { root, source, isFile } = params;
  const text = repositoryPaths(params.stderr.trim().replace(/^Error: /, ""), root);
  // The deepest kustomization directory named, and what kustomize said about it.
  const nested = [...text.matchAll(/(?:recursed accumulation of path|couldn't make target for path) '([^']+)': /g)].at(-1);
  const dir = nested?.[1] ?? source;
  const cause = nested ? text.slice((nested.index ?? 0) + nested[0].length) : text;
  const named = [...cause.matchAll(/(?:accumulating resources from '([^']+)'|in File: (\S+))/g)].map((match) => match[1] ?? match[2] ?? "");
  const file = named.map((name) => posix.normalize(posix.join(dir, name))).find(isFile) ?? kustomizationOf(dir, isFile);
  const line = /\byaml: line (\d+)/.exec(cause)?.[1];
  const message = `kustomize could not build ${source}: ${simplify(cause)}`;
  return sourceFinding("render-failed", message, { file, line: line ? Number(line) : 1 });
}

/** Absolute paths under the temporary directory as repository paths (`/tmp/x/base` → `base`). */
function repositoryPaths(text: string, root: string): string {
  const prefix = root.endsWith("/") ? root : `${root}/`;
  return text.split(prefix).join("").split(`'${root}'`).join("'.'");
}

function kustomizationOf(dir: string, isFile: (path: string) => boolean): string {
  const names = kustomizationFileNames.map((name) => posix.join(dir, name));
  return names.find(isFile) ?? names[0]!;
}

// The wrapping that adds nothing for a person: "accumulation err='…' must resolve to a file':".
function simplify(cause: string): string {
  return cause.replace(/accumulation err='accumulating resources from '[^']+': '[^']+' must resolve to a file': /g, "").trim();
}
