// Turns a converted YAML document into Kubernetes objects: checks the fields every object needs
// (apiVersion, kind, metadata.name) and expands `kind: List` into its items, each with its own
// position, as kubectl does.
import type { ManifestFinding } from "./findings.js";
import { withLineOf } from "./line-tree.js";
import { locateWithin, type FieldPath, type Locate } from "./locate.js";
import { displayName, groupOf, isPlainObject, refOf, type KubeObject } from "./object.js";
import type { SourceObject, SourcePosition } from "./types.js";
import type { YamlDocument } from "./yaml-documents.js";

const excludeList = "`exclude` list in .github/slipway.yml";

interface Found {
  objects: SourceObject[];
  findings: ManifestFinding[];
}

export function objectsOfDocument(params: { path: string; document: YamlDocument }): Found {
  const { path, document } = params;
  return objectsOfValue({ path, documentIndex: document.index, value: document.value, locate: document.locate, prefix: [], lines: document.lines });
}

/** A value of a document: the document itself, or an item of a List. */
interface ValueAt {
  path: string;
  documentIndex: number;
  value: unknown;
  locate: Locate;
  /** Where the value is in its document: [] or ["items", index]. */
  prefix: FieldPath;
  lines: YamlDocument["lines"];
}

function objectsOfValue(params: ValueAt): Found {
  const { path, value, locate } = params;
  // A list is whatever has `items`, as kubectl decides (apimachinery's unstructured decoder
  // detects lists by that field, not by the kind): a `v1 List` as `kubectl get -o yaml` writes
  // it, or a typed list such as `ConfigMapList`. A custom kind whose name ends in "List"
  // (`ShoppingList`) is an object like any other.
  if (!isPlainObject(value)) return checkObject(params);
  const items = value.items;
  if (!Array.isArray(items)) {
    // `items` that is not a sequence, or a `kind: List` without it: certainly meant as a list.
    if (items === undefined && value.kind !== "List") return checkObject(params);
    const message =
      `a ${String(value.kind)} needs an "items" sequence of objects; ` +
      `add the objects under items, or write them as separate documents.`;
    const position = at(path, locate, ["items"]);
    return { objects: [], findings: [{ severity: "error", code: "invalid-list", message, position }] };
  }
  const found: Found = { objects: [], findings: [] };
  items.forEach((item: unknown, index) => {
    const result = objectsOfValue({ ...params, value: item, locate: locateWithin(locate, ["items", index]), prefix: [...params.prefix, "items", index] });
    found.objects.push(...result.objects);
    found.findings.push(...result.findings);
  });
  return found;
}

function checkObject(params: ValueAt): Found {
  const { path, documentIndex, value, locate } = params;
  const findings = isPlainObject(value)
    ? checkTypeMeta({ path, value, locate })
    : [notAnObject({ path, value, locate })];
  if (findings.length > 0 || !isPlainObject(value)) return { objects: [], findings };
  findings.push(...checkMetadata({ path, value, locate }));
  if (findings.some((finding) => finding.severity === "error")) return { objects: [], findings };
  const object = value as KubeObject;
  const source = withLineOf({ object, position: at(path, locate, []), documentIndex, lines: params.lines(params.prefix, value) });
  return { objects: [source], findings };
}

function notAnObject(params: { path: string; value: unknown; locate: Locate }): ManifestFinding {
  const { path, value, locate } = params;
  const message =
    `this YAML document is ${describe(value)}, not a Kubernetes object (a mapping with apiVersion, kind ` +
    `and metadata); if ${path} is not a manifest, add it to the environment's ${excludeList}.`;
  return { severity: "error", code: "not-an-object", message, position: at(path, locate, []) };
}

function checkTypeMeta(params: { path: string; value: Record<string, unknown>; locate: Locate }): ManifestFinding[] {
  const { path, value, locate } = params;
  const { apiVersion, kind } = value;
  if (typeof apiVersion === "string" && groupOf(apiVersion).startsWith("kustomize.config.k8s.io")) {
    const message =
      `${path} is a Kustomize file (${String(kind)}), and Slipway applies plain manifests without running kustomize; ` +
      `commit the rendered manifests, and add this path to the environment's ${excludeList}.`;
    return [{ severity: "error", code: "not-kubernetes", message, position: at(path, locate, []) }];
  }
  if (apiVersion === undefined && kind === undefined) {
    const message =
      `this YAML has no apiVersion or kind, so it is not a Kubernetes object (is ${path} a Helm values file ` +
      `or a kustomization.yaml?); if it is not a manifest, add it to the environment's ${excludeList}.`;
    return [{ severity: "error", code: "not-kubernetes", message, position: at(path, locate, []) }];
  }
  return (["apiVersion", "kind"] as const).flatMap((field): ManifestFinding[] => {
    const fieldValue = value[field];
    if (typeof fieldValue === "string" && fieldValue !== "") return [];
    const problem = fieldValue === undefined ? "is missing" : `must be a non-empty string, not ${describe(fieldValue)}`;
    const message =
      `${field} ${problem}; every Kubernetes object needs apiVersion and kind ` +
      `(e.g. apiVersion: apps/v1, kind: Deployment).`;
    return [{ severity: "error", code: "invalid-type-meta", message, position: at(path, locate, [field]) }];
  });
}

function checkMetadata(params: { path: string; value: Record<string, unknown>; locate: Locate }): ManifestFinding[] {
  const { path, value, locate } = params;
  const metadata = value.metadata;
  if (metadata !== undefined && !isPlainObject(metadata)) {
    const message = `metadata must be a mapping (with at least a name), not ${describe(metadata)}.`;
    return [{ severity: "error", code: "invalid-metadata", message, position: at(path, locate, ["metadata"]) }];
  }
  const { name, namespace, generateName } = metadata ?? {};
  if (typeof name !== "string" || name === "") {
    const message =
      name !== undefined
        ? `metadata.name must be a non-empty string, not ${describe(name)}; quote it if YAML read it as something else.`
        : generateName !== undefined
          ? `metadata.generateName is not supported: server-side apply needs a fixed metadata.name; set one.`
          : `metadata.name is missing; every object needs a name to be applied.`;
    return [{ severity: "error", code: "invalid-name", message, position: at(path, locate, ["metadata", "name"]) }];
  }
  const object = displayName(refOf(value as KubeObject));
  const findings = [
    ...checkStringMap({ field: "labels", map: metadata?.labels }),
    ...checkStringMap({ field: "annotations", map: metadata?.annotations }),
  ];
  if (namespace !== undefined && (typeof namespace !== "string" || namespace === "")) {
    const message =
      `metadata.namespace must be a non-empty string, not ${describe(namespace)}; ` +
      `fix it, or remove it to use the environment's namespace.`;
    findings.push({ fieldPath: ["metadata", "namespace"], message });
  }
  return findings.map(({ fieldPath, message }) => ({
    severity: "error",
    code: "invalid-metadata",
    message,
    position: at(path, locate, fieldPath),
    object,
  }));
}

/** Labels and annotations: mappings of strings. */
function checkStringMap(params: {
  field: "labels" | "annotations";
  map: unknown;
}): Array<{ fieldPath: string[]; message: string }> {
  const { field, map } = params;
  if (map === undefined || map === null) return [];
  if (!isPlainObject(map)) {
    const message = `metadata.${field} must be a mapping of strings, not ${describe(map)}.`;
    return [{ fieldPath: ["metadata", field], message }];
  }
  // YAML reads `version: 1.0` or `enabled: yes` as a number or a boolean; Kubernetes wants strings.
  // A null value is left for the API server to judge.
  return Object.entries(map)
    .filter(([, item]) => typeof item !== "string" && item !== null)
    .map(([key, item]) => ({
      fieldPath: ["metadata", field, key],
      message: `metadata.${field}.${key} must be a string, not ${describe(item)}; quote the value.`,
    }));
}

function at(file: string, locate: Locate, fieldPath: ReadonlyArray<string | number>): SourcePosition {
  return { file, ...locate(fieldPath) };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  if (isPlainObject(value)) return "a mapping";
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
