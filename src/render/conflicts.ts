// Who owns a conflicting field, in the same words in the comment, the annotations and the terminal.
import type { ConflictOwnerKind, FieldConflict } from "../plan/types.js";

function ownerKindLabel(kind: ConflictOwnerKind): string {
  switch (kind) {
    case "controller":
      return "controller";
    case "manual-edit":
      return "manual edit";
    case "gitops-tool":
      return "another GitOps tool";
  }
}

/** "kube-controller-manager (controller, Update, subresource scale)". Plain text: escape before use. */
export function describeOwner(conflict: FieldConflict): string {
  const subresource = conflict.subresource && `subresource ${conflict.subresource}`;
  const how = [ownerKindLabel(conflict.ownerKind), conflict.operation, subresource].filter(Boolean);
  return `${conflict.manager} (${how.join(", ")})`;
}
