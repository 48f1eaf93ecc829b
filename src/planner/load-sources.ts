// Manifest files → validated objects and findings, for one environment: parse first (so the
// caller can refresh discovery for the kinds it finds), then validate against the policy.
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

export function parseFiles(files: ManifestFile[]): LoadedSources {
  const parsed = files.map((file) => parseManifestFile({ path: file.path, content: file.content }));
  return { objects: parsed.flatMap((file) => file.objects), findings: parsed.flatMap((file) => file.findings) };
}

/**
 * parseFiles, giving the event loop a turn after every file: run while requests are in flight,
 * the parsing then uses the CPU the API server leaves idle instead of holding the requests back.
 */
export async function parseFilesYielding(files: ManifestFile[]): Promise<LoadedSources> {
  const loaded: LoadedSources = { objects: [], findings: [] };
  for (const file of files) {
    const parsed = parseManifestFile({ path: file.path, content: file.content });
    loaded.objects.push(...parsed.objects);
    loaded.findings.push(...parsed.findings);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return loaded;
}

export function validateSources(params: {
  parsed: LoadedSources;
  environment: EnvironmentConfig;
  /** The cluster's answer; without a cluster, the built-in kinds' scopes. */
  isNamespaced?: (ref: { apiVersion: string; kind: string }) => boolean | undefined;
}): LoadedSources {
  const validated = validateObjects({
    objects: params.parsed.objects,
    defaultNamespace: params.environment.namespace,
    allowedNamespaces: params.environment.allowedNamespaces,
    allowClusterScoped: params.environment.clusterScoped,
    isNamespaced: params.isNamespaced ?? builtinIsNamespaced,
    clusterKnown: params.isNamespaced !== undefined,
  });
  return { objects: validated.objects, findings: [...params.parsed.findings, ...validated.findings] };
}
