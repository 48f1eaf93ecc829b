// Builders for the objects the apply tests share.
import type { KubeObject } from "../../src/manifests/object.js";

export function workload(podSpec: Record<string, unknown>, overrides: { kind?: string; apiVersion?: string; name?: string; namespace?: string; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: overrides.apiVersion ?? "apps/v1",
    kind: overrides.kind ?? "Deployment",
    metadata: {
      name: overrides.name ?? "web",
      namespace: overrides.namespace ?? "apps",
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
    },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: podSpec } },
  };
}

export function configMap(name: string, fields: { data?: Record<string, string>; binaryData?: Record<string, string> } = {}, namespace = "apps"): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, ...fields };
}

export function secret(name: string, fields: { data?: Record<string, string>; stringData?: Record<string, string> } = {}, namespace = "apps"): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", ...fields };
}

export const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
