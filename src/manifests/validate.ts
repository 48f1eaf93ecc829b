// Rules that need the whole set of objects and the environment's policy: scope and namespace,
// allowed namespaces, cluster-scoped kinds, duplicates. Returns copies with metadata.namespace
// filled in, and leaves out every object that has an error finding (so nothing invalid gets as
// far as a dry-run).
import picomatch from "picomatch";
import { scopesDefinedBy } from "./defined-scopes.js";
import type { ManifestFinding, ManifestFindingCode } from "./findings.js";
import { kindMatches } from "./kind-pattern.js";
import { displayName, groupOf, identityKey, refOf, type KubeObject } from "./object.js";
import type { FindingSeverity, SourceObject } from "./types.js";

const config = ".github/slipway.yml";

export interface ValidateParams {
  objects: SourceObject[];
  /** For namespaced objects that do not set metadata.namespace (the environment's `namespace`). */
  defaultNamespace?: string;
  /**
   * When given, the only namespaces objects may be in: names or patterns (`web-*`), the
   * environment's `allowedNamespaces` or what the server's policy grants.
   */
  allowedNamespaces?: string[];
  /** Which cluster-scoped objects may be changed: any (true), none (false), or those of these kinds. */
  clusterScoped: boolean | string[];
  /** Whether the cluster serves a kind as namespaced; undefined when it does not serve the kind. */
  isNamespaced: (ref: { apiVersion: string; kind: string }) => boolean | undefined;
  /**
   * Does `isNamespaced` speak for a real cluster (default true)? Without one (a fork's pull
   * request, an offline run), a kind it does not know is not an error: its scope is just unknown.
   */
  clusterKnown?: boolean;
}

export interface Validated {
  objects: SourceObject[];
  findings: ManifestFinding[];
}

export function validateObjects(params: ValidateParams): Validated {
  const definedHere = scopesDefinedBy(params.objects);
  const validated: Validated = { objects: [], findings: [] };
  const seen = new Map<string, SourceObject>();
  for (const source of params.objects) {
    const namespaced = params.isNamespaced(source.object) ?? definedHere(source.object);
    const placed = placeObject({ ...params, source, namespaced });
    validated.findings.push(...placed.findings);
    if (!placed.source) continue;
    const key = identityKey(refOf(placed.source.object));
    const first = seen.get(key);
    if (first) {
      validated.findings.push(duplicateFinding(first, placed.source));
      continue;
    }
    seen.set(key, placed.source);
    validated.objects.push(placed.source);
  }
  return validated;
}

/** A copy of the object in its namespace, or findings that say why it cannot be applied. */
function placeObject(params: ValidateParams & { source: SourceObject; namespaced: boolean | undefined }): {
  source?: SourceObject;
  findings: ManifestFinding[];
} {
  const { source, namespaced, defaultNamespace, allowedNamespaces } = params;
  const copy: SourceObject = { ...source, object: structuredClone(source.object) };
  const { kind, apiVersion, metadata } = copy.object;
  const at = findingAt(copy);
  if (namespaced === undefined && (params.clusterKnown ?? true)) {
    const message =
      `the cluster does not serve ${kind} in ${apiVersion}; check apiVersion and kind for typos, ` +
      `or add the CustomResourceDefinition that defines it.`;
    return { findings: [at("error", "unknown-kind", message, ["apiVersion"])] };
  }
  const findings: ManifestFinding[] = [];
  if (namespaced === true && !metadata.namespace) {
    if (!defaultNamespace) {
      const message =
        `${kind} is namespaced, but the object sets no metadata.namespace and the environment has no default; ` +
        `set metadata.namespace, or \`namespace\` for the environment in ${config}.`;
      return { findings: [at("error", "namespace-missing", message, ["metadata"])] };
    }
    metadata.namespace = defaultNamespace;
  }
  if (namespaced === false) {
    // The API server ignores it too; keeping it would put a wrong name on the object everywhere.
    const written = metadata.namespace;
    delete metadata.namespace;
    if (!clusterScopedAllowed(params.clusterScoped, copy.object)) {
      const message =
        params.clusterScoped === false
          ? `${kind} is cluster-scoped, and this environment may not change cluster-scoped objects; ` +
            `to allow it, set \`clusterScoped: true\` for the environment in ${config} (the server's policy must grant the kind).`
          : `${kind} is cluster-scoped, and neither this environment nor the server's policy lets it change ${kind} objects.`;
      return { findings: [at("error", "cluster-scoped-not-allowed", message, [])] };
    }
    if (written !== undefined) {
      const message =
        `metadata.namespace "${written}" has no effect: ${kind} is cluster-scoped, ` +
        `so Slipway ignores it; remove it.`;
      findings.push(at("warning", "namespace-on-cluster-scoped", message, ["metadata", "namespace"]));
    }
  }
  if (isSlipwayOwned(copy.object)) {
    const message =
      `${kind} ${metadata.name ?? ""} is one of Slipway's own objects (its inventories, Leases and canary state are ` +
      `ConfigMaps and Leases named slipway-…, and ApplySet parents): manifests cannot write them. Rename the object.`;
    return { findings: [...findings, at("error", "slipway-owned", message, ["metadata", "name"])] };
  }
  if (metadata.namespace && allowedNamespaces && !picomatch.isMatch(metadata.namespace, allowedNamespaces, { dot: true })) {
    const allowed = allowedNamespaces.join(", ") || "none";
    const message =
      `namespace "${metadata.namespace}" is not allowed in this environment (allowed: ${allowed}); ` +
      `move the object, or add the namespace to \`allowedNamespaces\` for the environment in ${config}.`;
    return { findings: [...findings, at("error", "namespace-not-allowed", message, ["metadata", "namespace"])] };
  }
  return { source: copy, findings };
}

type FindingAt = (
  severity: FindingSeverity,
  code: ManifestFindingCode,
  message: string,
  fieldPath: string[],
) => ManifestFinding;

/** Findings about one object, named as it is after defaulting, at the line of a field. */
function findingAt(source: SourceObject): FindingAt {
  return (severity, code, message, fieldPath) => ({
    severity,
    code,
    message,
    position: { file: source.position.file, line: source.lineOf(fieldPath) },
    object: displayName(refOf(source.object)),
  });
}

function duplicateFinding(first: SourceObject, second: SourceObject): ManifestFinding {
  const where = (source: SourceObject) => `${source.position.file}:${source.position.line}`;
  const name = displayName(refOf(second.object));
  const message =
    `${name} is defined twice, at ${where(first)} and ${where(second)}; the API server knows an object by group, ` +
    `kind, namespace and name (whatever the version), so remove one of them.`;
  return { severity: "error", code: "duplicate-object", message, position: { ...second.position }, object: name };
}

function clusterScopedAllowed(allowed: boolean | string[], object: KubeObject): boolean {
  return typeof allowed === "boolean" ? allowed : allowed.some((pattern) => kindMatches(pattern, object));
}

/**
 * Slipway keeps its state in ConfigMaps and Leases named `slipway-…` (inventories, apply Leases,
 * canary state) and marks inventories as ApplySet parents: a manifest that wrote one could
 * rewrite what Slipway may prune, or take another environment's Lease.
 */
function isSlipwayOwned(object: KubeObject): boolean {
  const name = object.metadata.name ?? "";
  const reservedKind =
    (groupOf(object.apiVersion) === "" && object.kind === "ConfigMap") || (groupOf(object.apiVersion) === "coordination.k8s.io" && object.kind === "Lease");
  return (reservedKind && name.startsWith("slipway-")) || object.metadata.labels?.["applyset.kubernetes.io/id"] !== undefined;
}
