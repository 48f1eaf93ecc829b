// Representative plans, one per thing the report must show; each has a golden file in
// fixtures/render/.
import type { EnvironmentPlan } from "../../src/plan/types.js";
import { aConflict, aDiff, aFinding, anObject, aPlan } from "./builders.js";

const web = "Deployment/apps/web";

export const scenarios: Record<string, EnvironmentPlan> = {
  create: aPlan({
    context: "prod-eu-1",
    objects: [
      anObject("Namespace/apps", {
        action: "create",
        position: { file: "apps/namespace.yaml", line: 1 },
        diff: "--- live/Namespace/apps\n+++ desired/Namespace/apps\n@@ -0,0 +1,4 @@\n+apiVersion: v1\n+kind: Namespace\n+metadata:\n+  name: apps\n",
      }),
      anObject("Service/apps/web", { action: "unverified", note: "Namespace apps is created by this change; checked against the schema only." }),
      anObject("ConfigMap/kube-system/coredns"),
    ],
  }),
  change: aPlan({
    objects: [
      anObject("ConfigMap/apps/web-config", {
        action: "change",
        position: { file: "apps/config.yaml", line: 1 },
        diff: aDiff("ConfigMap/apps/web-config", ["-  LOG_LEVEL: info", "+  LOG_LEVEL: debug"]),
        rollsOut: ["ConfigMap apps/web-config changed → Deployment apps/web will roll out"],
      }),
      anObject(web, { action: "change", position: { file: "apps/web.yaml", line: 1 }, diff: aDiff(web) }),
      anObject("Service/apps/web"),
      anObject("ServiceAccount/apps/web"),
    ],
  }),
  prune: aPlan({
    environment: "staging",
    objects: [
      anObject("CronJob/apps/cleanup", {
        action: "prune",
        diff: "--- live/CronJob/apps/cleanup\n+++ desired/CronJob/apps/cleanup\n@@ -1,3 +0,0 @@\n-apiVersion: batch/v1\n-kind: CronJob\n-metadata:\n",
      }),
      anObject(web, { action: "change", diff: aDiff(web) }),
    ],
  }),
  conflicts: aPlan({
    conflictsFail: true,
    objects: [
      anObject(web, {
        action: "change",
        position: { file: "apps/web.yaml", line: 1 },
        diff: aDiff(web),
        conflicts: [
          aConflict(),
          aConflict({
            field: '.spec.template.spec.containers[name="web"].image',
            manager: "kubectl-edit",
            subresource: undefined,
            ownerKind: "manual-edit",
            liveValue: "web:1.4.3-hotfix",
            desiredValue: "web:1.5.0",
            advice: "Someone changed the image by hand: put web:1.4.3-hotfix in Git or accept the overwrite with /slipway force.",
            position: { file: "apps/web.yaml", line: 21 },
          }),
        ],
      }),
      anObject("Ingress/apps/web", {
        action: "change",
        diff: aDiff("Ingress/apps/web", ["-    host: web.example.com", "+    host: www.example.com"]),
        conflicts: [
          aConflict({
            object: "Ingress/apps/web",
            field: ".spec.rules",
            manager: "argocd-controller",
            operation: "Apply",
            subresource: undefined,
            ownerKind: "gitops-tool",
            time: undefined,
            liveValue: '[{"host":"web.example.com"}]',
            desiredValue: '[{"host":"www.example.com"}]',
            advice: "Argo CD also applies this object: remove it from one of the two tools.",
            blocking: true,
            position: undefined,
          }),
        ],
      }),
    ],
  }),
  secret: aPlan({
    objects: [
      anObject("Secret/apps/web-credentials", {
        action: "change",
        position: { file: "apps/secret.yaml", line: 1 },
        // What a planner that failed to mask would produce: the renderer must not print it.
        diff: aDiff("Secret/apps/web-credentials", ["-  password: aHVudGVyMg==", "+  password: c3VwZXJzZWNyZXQ="]),
        secretKeys: [
          { key: "password", state: "changed" },
          { key: "username", state: "unchanged" },
          { key: "api-token", state: "added" },
          { key: "legacy-key", state: "removed" },
        ],
        rollsOut: ["Secret apps/web-credentials changed → Deployment apps/web will roll out"],
      }),
    ],
  }),
  offline: aPlan({
    mode: "offline",
    objects: [anObject(web, { action: "change", position: { file: "apps/web.yaml", line: 1 }, diff: aDiff(web) })],
  }),
  "validate-only": aPlan({
    mode: "validate-only",
    findings: [
      aFinding({
        severity: "warning",
        code: "deprecated-api",
        message: "policy/v1beta1 PodDisruptionBudget is removed in Kubernetes 1.25: use policy/v1.",
        object: "PodDisruptionBudget/apps/web",
      }),
    ],
  }),
  error: aPlan({
    error:
      'Listing Deployments in apps was forbidden: User "system:serviceaccount:slipway:planner" cannot list resource "deployments". ' +
      "Grant the planner's ServiceAccount list and get on the namespaces it plans, then re-run with /slipway plan.",
  }),
  findings: aPlan({
    findings: [
      aFinding({
        severity: "warning",
        code: "missing-namespace",
        message: "No namespace set; the default namespace apps is used.",
        object: "ConfigMap/apps/settings",
        position: { file: "apps/settings.yaml", line: 2 },
      }),
      aFinding(),
      aFinding({ severity: "notice", code: "skipped-file", message: "kustomization.yaml is not a manifest and was skipped.", position: undefined }),
    ],
    objects: [
      anObject("Deployment/apps/worker", {
        action: "rejected",
        position: { file: "apps/worker.yaml", line: 1 },
        note: 'Deployment.apps "worker" is invalid: spec.selector: Invalid value: field is immutable. The Deployment would need to be recreated.',
      }),
      anObject("ConfigMap/apps/settings"),
    ],
  }),
};
