import { describe, expect, it } from "vitest";
import { adviseOnConflict, classifyOwner } from "../../src/plan/conflict-owner.js";
import type { ConflictOwner } from "../../src/plan/conflict-owner.js";
import type { ConflictOwnerKind } from "../../src/plan/types.js";

describe("classifyOwner", () => {
  it.each<ConflictOwner & { expected: ConflictOwnerKind }>([
    { manager: "kube-controller-manager", operation: "Update", subresource: "scale", expected: "controller" },
    { manager: "kube-controller-manager", operation: "Update", subresource: undefined, expected: "controller" },
    { manager: "some-operator", operation: "Update", subresource: "scale", expected: "controller" },
    { manager: "vpa-updater", operation: "Update", subresource: undefined, expected: "controller" },
    { manager: "keda-operator", operation: "Update", subresource: undefined, expected: "controller" },
    { manager: "kubectl-edit", operation: "Update", subresource: undefined, expected: "manual-edit" },
    // kubectl scale writes through the scale subresource, and is still a person.
    { manager: "kubectl-scale", operation: "Update", subresource: "scale", expected: "manual-edit" },
    { manager: "kubectl-client-side-apply", operation: "Update", subresource: undefined, expected: "manual-edit" },
    { manager: "kubectl", operation: "Update", subresource: undefined, expected: "manual-edit" },
    { manager: "Mozilla", operation: "Update", subresource: undefined, expected: "manual-edit" },
    { manager: "kubectl", operation: "Apply", subresource: undefined, expected: "gitops-tool" },
    { manager: "kustomize-controller", operation: "Apply", subresource: undefined, expected: "gitops-tool" },
    { manager: "argocd-controller", operation: "Apply", subresource: undefined, expected: "gitops-tool" },
    // Helm writes with Update, and is still a second deployment tool.
    { manager: "helm", operation: "Update", subresource: undefined, expected: "gitops-tool" },
    { manager: "some-pipeline", operation: "Apply", subresource: undefined, expected: "gitops-tool" },
    { manager: "some-script", operation: "Update", subresource: undefined, expected: "manual-edit" },
    { manager: "unknown", operation: undefined, subresource: undefined, expected: "manual-edit" },
  ])("$manager $operation $subresource → $expected", ({ expected, ...owner }) => {
    expect(classifyOwner(owner)).toBe(expected);
  });
});

describe("adviseOnConflict", () => {
  it.each<{ owner: ConflictOwner; kind: ConflictOwnerKind; contains: string }>([
    {
      owner: { manager: "kube-controller-manager", operation: "Update", subresource: "scale" },
      kind: "controller",
      contains: "Remove `spec.replicas` from the manifest and let the HorizontalPodAutoscaler own it.",
    },
    { owner: { manager: "vpa-updater", operation: "Update", subresource: undefined }, kind: "controller", contains: "let the VerticalPodAutoscaler own it" },
    { owner: { manager: "kubectl-scale", operation: "Update", subresource: "scale" }, kind: "manual-edit", contains: "changed by hand with `kubectl-scale` at 2024-05-03T09:30:00Z" },
    { owner: { manager: "some-script", operation: "Update", subresource: undefined }, kind: "manual-edit", contains: "if `some-script` is a controller that owns the field" },
    { owner: { manager: "kustomize-controller", operation: "Apply", subresource: undefined }, kind: "gitops-tool", contains: "`kustomize-controller` (Flux) also applies `spec.replicas`" },
  ])("$owner.manager", ({ owner, kind, contains }) => {
    expect(adviseOnConflict({ owner, kind, field: ".spec.replicas", time: "2024-05-03T09:30:00Z" })).toContain(contains);
  });
});
