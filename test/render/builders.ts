// Small builders for plans in render tests: sensible defaults, override what the test is about.
import type { Finding } from "../../src/manifests/types.js";
import type { EnvironmentPlan, FieldConflict, ObjectPlan } from "../../src/plan/types.js";

const API_VERSIONS: Record<string, string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  Ingress: "networking.k8s.io/v1",
};

/** An object plan from its `Kind/namespace/name` (or `Kind/name`); unchanged unless told otherwise. */
export function anObject(name: string, overrides: Partial<ObjectPlan> = {}): ObjectPlan {
  const parts = name.split("/");
  const [kind = "ConfigMap", namespace, objectName] = parts.length === 2 ? [parts[0], undefined, parts[1]] : parts;
  return {
    ref: {
      apiVersion: API_VERSIONS[kind] ?? "v1",
      kind,
      name: objectName ?? "",
      ...(namespace ? { namespace } : {}),
    },
    name,
    action: "unchanged",
    conflicts: [],
    ...overrides,
  };
}

export function aPlan(overrides: Partial<EnvironmentPlan> = {}): EnvironmentPlan {
  return { environment: "production", mode: "cluster", objects: [], findings: [], conflictsFail: false, ...overrides };
}

export function aConflict(overrides: Partial<FieldConflict> = {}): FieldConflict {
  return {
    object: "Deployment/apps/web",
    field: ".spec.replicas",
    manager: "kube-controller-manager",
    operation: "Update",
    subresource: "scale",
    apiVersion: "apps/v1",
    time: "2024-05-02T10:15:00Z",
    ownerKind: "controller",
    liveValue: "5",
    desiredValue: "3",
    advice: "An autoscaler owns the replica count: remove spec.replicas from the manifest.",
    blocking: false,
    position: { file: "apps/web.yaml", line: 9 },
    ...overrides,
  };
}

export function aFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    severity: "error",
    code: "yaml-syntax",
    message: "Unexpected end of flow sequence",
    position: { file: "apps/broken.yaml", line: 4, column: 7 },
    ...overrides,
  };
}

/** A unified diff in the shape the planner produces: one hunk of changed `lines`. */
export function aDiff(name: string, lines: string[] = ["-        image: web:1.4.2", "+        image: web:1.5.0"]): string {
  return [`--- live/${name}`, `+++ desired/${name}`, "@@ -21 +21 @@", ...lines, ""].join("\n");
}
