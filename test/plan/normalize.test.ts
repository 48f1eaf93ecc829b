import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/manifests/object.js";
import { normalizeForDiff } from "../../src/plan/normalize.js";

const deployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "apps",
    labels: { app: "web" },
    annotations: {
      "example.com/owner": "team-a",
      "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}',
      "deployment.kubernetes.io/revision": "7",
    },
    managedFields: [{ manager: "slipway", operation: "Apply" }],
    resourceVersion: "123",
    generation: 4,
    uid: "0b6f-…",
    selfLink: "/apis/apps/v1/namespaces/apps/deployments/web",
    creationTimestamp: "2024-05-01T00:00:00Z",
  },
  spec: { replicas: 2 },
  status: { readyReplicas: 2 },
});

describe("normalizeForDiff", () => {
  it("drops server-set metadata, status and noise annotations, and keeps the rest", () => {
    expect(normalizeForDiff(deployment())).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "apps", labels: { app: "web" }, annotations: { "example.com/owner": "team-a" } },
      spec: { replicas: 2 },
    });
  });

  it("does not modify its input", () => {
    const input = deployment();
    const before = structuredClone(input);
    normalizeForDiff(input);
    expect(input).toEqual(before);
  });

  it.each<{ case: string; annotations: Record<string, string>; labels: Record<string, string>; expected: object }>([
    { case: "only noise annotations", annotations: { "deployment.kubernetes.io/revision": "1" }, labels: { app: "web" }, expected: { labels: { app: "web" } } },
    { case: "empty maps", annotations: {}, labels: {}, expected: {} },
    { case: "kept maps", annotations: { a: "1" }, labels: { b: "2" }, expected: { annotations: { a: "1" }, labels: { b: "2" } } },
  ])("removes annotations and labels left empty: $case", ({ annotations, labels, expected }) => {
    const object: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", annotations, labels } };
    expect(normalizeForDiff(object).metadata).toEqual({ name: "c", ...expected });
  });

  it.each([
    {
      case: "core Service: allocated fields dropped",
      apiVersion: "v1",
      spec: { clusterIP: "10.0.0.7", clusterIPs: ["10.0.0.7"], healthCheckNodePort: 31000, ports: [{ port: 80 }] },
      expected: { ports: [{ port: 80 }] },
    },
    {
      case: "a custom kind named Service keeps its fields",
      apiVersion: "example.com/v1",
      spec: { clusterIP: "kept" },
      expected: { clusterIP: "kept" },
    },
  ])("$case", ({ apiVersion, spec, expected }) => {
    const service: KubeObject = { apiVersion, kind: "Service", metadata: { name: "web" }, spec };
    expect(normalizeForDiff(service).spec).toEqual(expected);
  });

  it.each(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"])("drops caBundle from every webhook of a %s", (kind) => {
    const configuration: KubeObject = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind,
      metadata: { name: "hooks" },
      webhooks: [
        { name: "a.example.com", clientConfig: { caBundle: "LS0tLS1CRUdJTg==", service: { name: "a", namespace: "x" } } },
        { name: "b.example.com", clientConfig: { caBundle: "LS0tLS1CRUdJTg==", url: "https://b.example.com" } },
      ],
    };
    expect(normalizeForDiff(configuration).webhooks).toEqual([
      { name: "a.example.com", clientConfig: { service: { name: "a", namespace: "x" } } },
      { name: "b.example.com", clientConfig: { url: "https://b.example.com" } },
    ]);
  });

  it("leaves a caBundle outside webhook configurations alone", () => {
    const other: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, webhooks: [{ clientConfig: { caBundle: "x" } }] };
    expect(normalizeForDiff(other).webhooks).toEqual([{ clientConfig: { caBundle: "x" } }]);
  });
});
