// What the apply's integration tests share: manifests as text, an environment of a test's own
// namespace, and the per-object actions of a report.
import { applyEnvironment, type ApplyEnvironmentParams } from "../../src/apply/apply-environment.js";
import type { ApplyReport } from "../../src/apply/types.js";
import { defineEnvironment } from "../../src/config/schema.js";
import type { ClusterContext } from "./cluster.js";

export const configMap = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

export const deployment = (name: string, config: string, replicas = 1, podSpec = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:${podSpec}
      containers:
        - name: app
          image: registry.example.com/${name}:1
          envFrom:
            - configMapRef: { name: ${config} }
`;

export function actions(report: ApplyReport): Record<string, string> {
  return Object.fromEntries(report.objects.map((object) => [object.name, object.action]));
}

/** Applies files as commits to the environment `env-<namespace>` (which it carries as `environment`). */
export function applier(ctx: Pick<ClusterContext, "store">, namespace: string, overrides: Record<string, unknown> = {}) {
  const environment = defineEnvironment({ name: `env-${namespace}`, paths: ["**"], namespace, clusterScoped: true, readinessTimeoutSeconds: 60, ...overrides });
  const apply = (files: Record<string, string>, commit: string, extra: Partial<ApplyEnvironmentParams> = {}) =>
    applyEnvironment({
      environment,
      files: Object.entries(files).map(([path, content]) => ({ path, content })),
      commit,
      store: ctx.store,
      context: "test",
      fieldManager: "slipway",
      pollMs: 200,
      ...extra,
    });
  return Object.assign(apply, { environment });
}
