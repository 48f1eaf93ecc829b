// Manifest files → validated objects and findings, for one environment.
import { builtinIsNamespaced } from "../manifests/builtin-scopes.js";
import { parseManifestFile } from "../manifests/parse.js";
import type { Finding, SourceObject } from "../manifests/types.js";
import { validateObjects } from "../manifests/validate.js";
import type { EnvironmentConfig } from "../config/schema.js";

export interface ManifestFile {
  path: string;
  content: string | Buffer;
}

export interface LoadedSources {
  objects: SourceObject[];
  findings: Finding[];
}

export function loadSources(params: {
  files: ManifestFile[];
  environment: EnvironmentConfig;
  /** The cluster's answer; without a cluster, the built-in kinds' scopes. */
  isNamespaced?: (ref: { apiVersion: string; kind: string }) => boolean | undefined;
}): LoadedSources {
  const parsed = params.files.map((file) => parseManifestFile({ path: file.path, content: file.content }));
  const validated = validateObjects({
    objects: parsed.flatMap((file) => file.objects),
    defaultNamespace: params.environment.namespace,
    allowedNamespaces: params.environment.allowedNamespaces,
    allowClusterScoped: params.environment.clusterScoped,
    isNamespaced: params.isNamespaced ?? builtinIsNamespaced,
    clusterKnown: params.isNamespaced !== undefined,
  });
  return { objects: validated.objects, findings: [...parsed.flatMap((file) => file.findings), ...validated.findings] };
}
