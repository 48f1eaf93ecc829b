// The scope of custom resources whose CustomResourceDefinition is in the same change: the
// cluster does not serve them yet, but they are not unknown kinds.
import { groupOf, isPlainObject, versionOf } from "./object.js";
import type { SourceObject } from "./types.js";

export type ScopeLookup = (ref: { apiVersion: string; kind: string }) => boolean | undefined;

export function scopesDefinedBy(objects: SourceObject[]): ScopeLookup {
  const namespaced = new Map<string, boolean>();
  for (const { object } of objects) {
    if (groupOf(object.apiVersion) !== "apiextensions.k8s.io" || object.kind !== "CustomResourceDefinition") continue;
    const spec = isPlainObject(object.spec) ? object.spec : {};
    const names = isPlainObject(spec.names) ? spec.names : {};
    const versions = Array.isArray(spec.versions) ? (spec.versions as unknown[]) : [];
    if (typeof spec.group !== "string" || typeof names.kind !== "string") continue;
    for (const version of versions) {
      if (isPlainObject(version) && typeof version.name === "string") {
        namespaced.set(`${spec.group}/${version.name}/${names.kind}`, spec.scope === "Namespaced");
      }
    }
  }
  return (ref) => namespaced.get(`${groupOf(ref.apiVersion)}/${versionOf(ref.apiVersion)}/${ref.kind}`);
}
