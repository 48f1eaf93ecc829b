// Kustomize's origin annotation (`buildMetadata: [originAnnotations]`): read it to learn which file
// an object came from, then take it off, so that it never reaches a dry-run or an apply. It is
// removed from the text as kustomize printed it, leaving every other byte as the tool wrote it.
import { posix } from "node:path";
import { isMap, isScalar, parse, parseDocument, type Pair, type Scalar, type YAMLMap } from "yaml";
import type { RenderOrigin } from "./types.js";

/** The annotation kustomize writes (api/resource/origin.go); its value is YAML. */
export const originAnnotation = "config.kubernetes.io/origin";

export type OriginRead =
  | { ok: true; text: string; origin: RenderOrigin }
  | { ok: false; problem: string };

/**
 * One document of `kustomize build`'s output: its text without the origin annotation, and the
 * origin resolved to a repository path. `buildDir` is the directory kustomize built, relative to
 * the repository's root: kustomize writes origin paths relative to it.
 */
export function takeOrigin(documentText: string, buildDir: string): OriginRead {
  const doc = parseDocument(documentText, { version: "1.1", keepSourceTokens: false });
  if (doc.errors.length > 0) return { ok: false, problem: doc.errors[0]!.message };
  const metadata = doc.get("metadata", true);
  const annotations = isMap(metadata) ? metadata.get("annotations", true) : undefined;
  const pair = isMap(annotations) ? annotations.items.find((item) => isScalar(item.key) && item.key.value === originAnnotation) : undefined;
  if (!pair || !isScalar(pair.value) || typeof pair.value.value !== "string" || !isMap(annotations)) {
    return { ok: false, problem: `the object has no ${originAnnotation} annotation` };
  }
  const origin = originOf(pair.value.value, buildDir);
  if (!origin) return { ok: false, problem: `its ${originAnnotation} annotation names no file in the repository: ${pair.value.value.trim()}` };
  // Alone, the annotation goes with its `annotations:` key; else only its own lines go.
  const removed = annotations.items.length === 1 ? metadataPair(metadata as YAMLMap, "annotations") : pair;
  return { ok: true, text: removeLines(documentText, removed), origin };
}

function originOf(value: string, buildDir: string): RenderOrigin | undefined {
  const read = parse(value) as { path?: unknown; repo?: unknown; configuredIn?: unknown } | null;
  if (!read || typeof read !== "object" || read.repo !== undefined) return undefined;
  const [file, via] = typeof read.path === "string" ? [read.path, "resource" as const] : typeof read.configuredIn === "string" ? [read.configuredIn, "generator" as const] : [];
  if (file === undefined || via === undefined) return undefined;
  const path = posix.normalize(posix.join(buildDir, file));
  if (path.startsWith("../") || posix.isAbsolute(path)) return undefined;
  return { file: path, via };
}

function metadataPair(metadata: YAMLMap, key: string): Pair {
  return metadata.items.find((item) => isScalar(item.key) && item.key.value === key)!;
}

/** The text without the lines of `pair`: from its key's line to the end of its value. */
function removeLines(text: string, pair: Pair): string {
  const key = pair.key as Scalar;
  const value = pair.value as Scalar | YAMLMap;
  const start = text.lastIndexOf("\n", key.range![0] - 1) + 1;
  // A block scalar's or a map's range ends after its last line break; a plain scalar's before it.
  let end = value.range![2];
  if (end > 0 && text[end - 1] !== "\n") {
    const lineEnd = text.indexOf("\n", end);
    end = lineEnd < 0 ? text.length : lineEnd + 1;
  }
  return text.slice(0, start) + text.slice(end);
}
