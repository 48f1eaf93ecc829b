// kubectl diff names each object's file `<group>.<version>.<Kind>.<namespace>.<name>` (no group
// for the core API): InfoObject.Name in k8s.io/kubectl/pkg/cmd/diff/diff.go. The comparison of
// changed sets uses that name for both tools.
import { groupOf, versionOf, type ObjectRef } from "../../src/manifests/object.js";

export function kubectlName(ref: ObjectRef): string {
  const group = groupOf(ref.apiVersion);
  return `${group ? `${group}.` : ""}${versionOf(ref.apiVersion)}.${ref.kind}.${ref.namespace ?? ""}.${ref.name}`;
}
