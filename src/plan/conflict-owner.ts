// Who holds a conflicting field, and what to do about it. The decision follows the
// server-side-apply documentation:
// - https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts — an `Update`
//   takes fields from their previous owner; a forced apply takes them back.
// - https://kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership —
//   a field a controller maintains (replicas under an HPA) belongs out of the manifest.
// - https://kubernetes.io/docs/reference/using-api/server-side-apply/#managers — every `Apply`
//   manager declares its own intent, so two appliers of one field overwrite each other forever.
//
// | Owner                                                    | Kind        | Blocking |
// |----------------------------------------------------------|-------------|----------|
// | `Update` by a person's tool (kubectl-edit, a console)     | manual-edit | no       |
// | a known applier (Flux, Argo CD, Helm, …), any operation   | gitops-tool | yes      |
// | the `scale` subresource, or a known controller            | controller  | no       |
// | any other `Apply`                                         | gitops-tool | yes      |
// | any other `Update`                                        | manual-edit | no       |
import type { ConflictOwnerKind } from "./types.js";

export interface ConflictOwner {
  manager: string;
  /** Undefined only when the server's message could not be read. */
  operation: "Apply" | "Update" | undefined;
  subresource: string | undefined;
}

interface Known {
  pattern: RegExp;
  label: string;
}

/** Field managers of tools people run by hand: kubectl names one per command; consoles send a browser agent. */
const PERSON_MANAGERS = [/^kubectl(-[a-z-]+)?$/, /^Mozilla\b/, /^k9s\b/, /^lens\b/i, /^headlamp\b/i];

/** Deployment tools. Helm writes with `Update`, so these are recognised whatever the operation. */
const APPLIERS: Known[] = [
  { pattern: /^kustomize-controller$/, label: "Flux" },
  { pattern: /^helm-controller$/, label: "Flux helm-controller" },
  { pattern: /^argocd/, label: "Argo CD" },
  { pattern: /^helm$/, label: "Helm" },
  { pattern: /^kapp\b/, label: "kapp" },
  { pattern: /^kluctl\b/, label: "kluctl" },
  { pattern: /^pulumi/i, label: "Pulumi" },
  { pattern: /^terraform/i, label: "Terraform" },
  // Reached only for `Apply`: an `Update` by kubectl is a person's command (see classifyOwner).
  { pattern: /^kubectl$/, label: "kubectl apply --server-side" },
];

/** Controllers that keep fields up to date on their own. */
const CONTROLLERS: Known[] = [
  { pattern: /^kube-controller-manager$/, label: "the Kubernetes controller manager" },
  { pattern: /^horizontal-pod-autoscaler/, label: "the HorizontalPodAutoscaler" },
  { pattern: /^vpa-/, label: "the VerticalPodAutoscaler" },
  { pattern: /^keda/, label: "KEDA" },
  { pattern: /^cert-manager/, label: "cert-manager" },
  { pattern: /^(argo-)?rollouts-controller$/, label: "Argo Rollouts" },
  { pattern: /^flagger$/, label: "Flagger" },
];

const isPerson = (manager: string): boolean => PERSON_MANAGERS.some((pattern) => pattern.test(manager));
const labelOf = (known: Known[], manager: string): string | undefined =>
  known.find(({ pattern }) => pattern.test(manager))?.label;

/** The table above, in order. */
export function classifyOwner(owner: ConflictOwner): ConflictOwnerKind {
  // Before the scale rule: `kubectl scale` writes through `scale` too, and is still a person.
  if (owner.operation === "Update" && isPerson(owner.manager)) return "manual-edit";
  if (labelOf(APPLIERS, owner.manager) !== undefined) return "gitops-tool";
  if (owner.subresource === "scale" || labelOf(CONTROLLERS, owner.manager) !== undefined) return "controller";
  switch (owner.operation) {
    case "Apply":
      return "gitops-tool";
    case "Update":
    case undefined:
      return "manual-edit";
  }
}

/** One or two sentences on what to do, naming the field without its leading dot. */
export function adviseOnConflict(params: { owner: ConflictOwner; kind: ConflictOwnerKind; field: string; time?: string }): string {
  const { owner, kind, field } = params;
  const who = `\`${owner.manager}\``;
  const path = `\`${field.replace(/^\./, "")}\``;
  const at = params.time ? ` at ${params.time}` : "";
  switch (kind) {
    case "controller": {
      const controller = controllerLabel(owner);
      return `${who} (${controller}) keeps ${path} up to date. Remove ${path} from the manifest and let ${controller} own it.`;
    }
    case "manual-edit":
      if (owner.operation === "Update" && isPerson(owner.manager)) {
        return `${path} was changed by hand with ${who}${at}. The manual change will be overwritten on merge; move it into the manifest if it should stay.`;
      }
      return (
        `${who} last wrote ${path}${at}, and merging overwrites it. If that was a manual change that should stay, ` +
        `move it into the manifest; if ${who} is a controller that owns the field, remove it from the manifest.`
      );
    case "gitops-tool": {
      const tool = labelOf(APPLIERS, owner.manager);
      return (
        `${who}${tool ? ` (${tool})` : ""} also applies ${path}. Two tools managing one field will fight, each ` +
        `overwriting the other on every sync: choose one owner and remove the field from the other tool's source.`
      );
    }
  }
}

function controllerLabel(owner: ConflictOwner): string {
  // The HPA controller runs inside kube-controller-manager and scales through `scale`.
  if (owner.subresource === "scale" && /^(kube-controller-manager|horizontal-pod-autoscaler)/.test(owner.manager)) {
    return "the HorizontalPodAutoscaler";
  }
  return labelOf(CONTROLLERS, owner.manager) ?? `the controller writing through \`${owner.subresource ?? "its API"}\``;
}
