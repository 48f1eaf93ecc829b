// The workload every canary test, the canary demo and `bench:canary` roll out: a Deployment
// reading its ConfigMap, the Service in front of it, and an HTTPRoute sending it all traffic;
// and the `canary:` entry a repository writes for it. No test runner here: scripts use it too.
import type { z } from "zod";
import type { canarySchema } from "../../../src/config/canary-schema.js";
import type { KubeObject } from "../../../src/manifests/object.js";

/** A `canary:` entry as a repository writes it. */
export type CanaryEntry = z.input<typeof canarySchema>;

export interface WorkloadOptions {
  name?: string;
  /** The image's tag: `registry.example.com/<name>:<image>`. */
  image: string;
  /** The ConfigMap's `level`. */
  level?: string;
  replicas?: number;
}

/** The workload's manifests as one file. */
export function workloadManifests(options: WorkloadOptions): string {
  const { name = "web", image, level = "info", replicas = 2 } = options;
  return `apiVersion: apps/v1
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
    spec:
      containers:
        - name: ${name}
          image: registry.example.com/${name}:${image}
          envFrom:
            - configMapRef: { name: ${name}-config }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
  level: "${level}"
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: { app: ${name} }
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
spec:
  parentRefs:
    - name: gateway
  rules:
    - backendRefs:
        - name: ${name}
          port: 80
`;
}

/** Deployment/web at an image tag, reading a ConfigMap whose `level` is given, behind an HTTPRoute. */
export const webManifests = (image: string, level: string): Record<string, string> => ({ "web.yaml": workloadManifests({ image, level }) });

/** The `canary:` entry of a workload (steps [20, 50], interval 2s, threshold 2, minRequests 10, istio metrics), with `overrides`. */
export const canaryEntry = (name: string, overrides: Partial<CanaryEntry> = {}): CanaryEntry => ({
  workload: `Deployment/${name}`,
  service: name,
  router: { type: "gateway-api", httpRoute: name },
  steps: [20, 50],
  interval: "2s",
  threshold: 2,
  minRequests: 10,
  promotion: "auto",
  metrics: { telemetry: "istio", successRate: { min: 95 }, latencyP99: { max: 500 } },
  ...overrides,
});

/** The `canary:` entry of Deployment/web. */
export const webCanary = (overrides: Partial<CanaryEntry> = {}): CanaryEntry => canaryEntry("web", overrides);

export function imageOf(deployment: KubeObject | undefined): string | undefined {
  const spec = deployment?.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}
