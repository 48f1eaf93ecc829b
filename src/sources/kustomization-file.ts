// A kustomization file read for the checks that run before kustomize does: each field that names
// another file or directory, with the line that names it.
import { readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Node } from "yaml";
import { sourceFinding, type SourceFinding } from "./findings.js";

/** The names kustomize looks for in a directory, in its order (konfig.RecognizedKustomizationFileNames). */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** What a field's entry is for, which decides how it is checked and followed. */
export type ReferenceRole =
  /** A file of objects or a kustomization directory (resources, bases). */
  | "resource"
  /** A Component's directory. */
  | "component"
  /** A file kustomize reads (a patch, a generator's file or env file, a CRD, a replacement). */
  | "file"
  /** A generator's, transformer's or validator's configuration: a file, a directory or inline YAML. */
  | "plugin";

export interface Reference {
  role: ReferenceRole;
  /** The field it is under, for messages: `resources`, `patches[2].path`, `configMapGenerator[0].files`. */
  field: string;
  value: string;
  line: number;
}

export interface Kustomization {
  /** Path of the file, relative to the repository's root. */
  file: string;
  references: Reference[];
  /** Helm fields, which Slipway refuses (kustomize would need --enable-helm and a helm of its own). */
  helmFields: Array<{ field: string; line: number }>;
}

/** Reads the kustomization of `dir` (relative to `root`); a finding when there is none or it does not parse. */
export async function readKustomization(root: string, dir: string): Promise<{ kustomization: Kustomization } | { finding: SourceFinding }> {
  for (const name of kustomizationFileNames) {
    const file = posix.join(dir, name);
    const text = await readFile(join(root, file), "utf8").catch(() => undefined);
    if (text !== undefined) return parseKustomization(file, text);
  }
  return {
    finding: sourceFinding("source-missing", `${dir} holds no kustomization file (${kustomizationFileNames.join(", ")}) at this commit.`, { file: dir, line: 1 }),
  };
}

export function parseKustomization(file: string, text: string): { kustomization: Kustomization } | { finding: SourceFinding } {
  const lineCounter = new LineCounter();
  const [doc, ...more] = parseAllDocuments(text, { lineCounter, version: "1.1" });
  const error = doc?.errors[0];
  if (!doc || error || more.length > 0 || !isMap(doc.contents)) {
    const line = error ? lineCounter.linePos(error.pos[0]).line : 1;
    const why = error ? error.message : "a kustomization file must hold one YAML mapping";
    return { finding: sourceFinding("source-not-readable", `${file} cannot be read: ${why}.`, { file, line }) };
  }
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const references: Reference[] = [];
  const helmFields: Kustomization["helmFields"] = [];
  const add = (role: ReferenceRole, field: string, node: unknown) => {
    if (isScalar(node) && typeof node.value === "string") references.push({ role, field, value: node.value, line: lineOf(node) });
  };
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node | null;
    const items = isSeq(value) ? value.items : [];
    switch (key) {
      case "resources":
      case "bases":
        items.forEach((item) => add("resource", key, item));
        break;
      case "components":
        items.forEach((item) => add("component", key, item));
        break;
      case "crds":
      case "configurations":
        items.forEach((item) => add("file", key, item));
        break;
      case "patchesStrategicMerge":
        // An entry is a file's path or an inline patch; inline ones read nothing.
        items.forEach((item) => isScalar(item) && typeof item.value === "string" && !item.value.includes("\n") && add("file", key, item));
        break;
      case "patches":
      case "patchesJson6902":
      case "replacements":
        items.forEach((item, index) => isMap(item) && add("file", `${key}[${index}].path`, item.get("path", true)));
        break;
      case "openapi":
        if (isMap(value)) add("file", "openapi.path", value.get("path", true));
        break;
      case "configMapGenerator":
      case "secretGenerator":
        items.forEach((item, index) => addGeneratorFiles(`${key}[${index}]`, item, add));
        break;
      case "generators":
      case "transformers":
      case "validators":
        items.forEach((item) => add("plugin", key, item));
        break;
      case "helmCharts":
      case "helmChartInflationGenerator":
      case "helmGlobals":
        helmFields.push({ field: key, line: lineOf(pair.key) });
        break;
      default:
        break;
    }
  }
  return { kustomization: { file, references, helmFields } };
}

/** A generator's `files` (`name=path` or `path`), `envs` and `env`. */
function addGeneratorFiles(field: string, item: unknown, add: (role: ReferenceRole, field: string, node: unknown) => void): void {
  if (!isMap(item)) return;
  const files = item.get("files", true);
  if (isSeq(files)) {
    for (const entry of files.items) {
      if (!isScalar(entry) || typeof entry.value !== "string") continue;
      const at = entry.value.indexOf("=");
      // A copy with the key taken off, so that the line stays the entry's.
      const path = new Scalar(at >= 0 ? entry.value.slice(at + 1) : entry.value);
      path.range = entry.range;
      add("file", `${field}.files`, path);
    }
  }
  const envs = item.get("envs", true);
  if (isSeq(envs)) envs.items.forEach((entry) => add("file", `${field}.envs`, entry));
  add("file", `${field}.env`, item.get("env", true));
}
