// Parsed manifests checked against an environment's policy: namespaces, cluster-scoped kinds,
// and the scope of each kind as the cluster (or, without one, Kubernetes' built-ins) defines it.
import type { EnvironmentConfig } from "../config/schema.js";
import { builtinIsNamespaced } from "../manifests/builtin-scopes.js";
import type { LoadedSources } from "../manifests/manifest-file.js";
import { validateObjects } from "../manifests/validate.js";

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
    clusterScoped: params.environment.clusterScoped,
    isNamespaced: params.isNamespaced ?? builtinIsNamespaced,
    clusterKnown: params.isNamespaced !== undefined,
  });
  return { objects: validated.objects, findings: [...params.parsed.findings, ...validated.findings] };
}
