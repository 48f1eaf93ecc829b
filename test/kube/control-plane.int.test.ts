// Proves the test control plane is the real thing: these behaviours are decided by
// kube-apiserver and kube-controller-manager, not by anything in Slipway.
import { expect, it } from "vitest";
import { KubeApiError, isBadRequest, isInvalid, isRetryable, isSchemaViolation } from "../../src/kube/errors.js";
import { unknownFieldPaths } from "../../src/kube/errors.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { describeWithCluster, itWithControllers, useCluster } from "../support/cluster.js";

function deployment(namespace: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", ...extra }] },
      },
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeApiError);
  return error as KubeApiError;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeWithCluster("the test control plane", () => {
  const cluster = useCluster();

  it("refuses a non-forced apply of a field another manager owns with a 409 naming field and owner", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("conflict");
    await store.apply(deployment(ns, 2), { fieldManager: "team-a" });

    const error = await rejection(store.apply(deployment(ns, 5), { fieldManager: "team-b" }));

    expect(error.statusCode).toBe(409);
    expect(error.causes).toContainEqual(
      expect.objectContaining({ reason: "FieldManagerConflict", field: ".spec.replicas", message: expect.stringContaining('"team-a"') }),
    );
    const live = await store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
    expect((live?.spec as { replicas: number }).replicas).toBe(2);
  });

  it("answers a dry-run apply with the would-be object and persists nothing", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("dryrun");
    const before = await store.apply(deployment(ns, 1), { fieldManager: "slipway" });

    const wouldBe = await store.apply(deployment(ns, 3), { fieldManager: "slipway", dryRun: true });
    const created = await store.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "new", namespace: ns }, data: { a: "1" } },
      { fieldManager: "slipway", dryRun: true },
    );

    expect((wouldBe.spec as { replicas: number }).replicas).toBe(3);
    // Server-side defaulting shows up in the dry-run result.
    expect((wouldBe.spec as { strategy?: { type?: string } }).strategy?.type).toBe("RollingUpdate");
    expect(created.metadata.name).toBe("new");
    const after = await store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
    expect((after?.spec as { replicas: number }).replicas).toBe(1);
    // Controllers may write status meanwhile; the spec is what a dry-run must leave alone.
    expect(after?.metadata.generation).toBe(before.metadata.generation);
    expect(await store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "new" })).toBeUndefined();
  });

  it("rejects an unknown field under fieldValidation=Strict and names it", async () => {
    const { store, namespace } = await cluster();
    const ns = await namespace("strict");

    const error = await rejection(
      store.apply(deployment(ns, 1, { imagePullPolicyy: "Always" }), { fieldManager: "slipway", fieldValidation: "Strict" }),
    );

    // Kubernetes answers an unknown field in an apply patch with a 500 from its typed
    // conversion (kubernetes/kubernetes#139253) rather than a 400; Slipway classifies both.
    expect([400, 422, 500]).toContain(error.statusCode);
    expect(isSchemaViolation(error) || isBadRequest(error) || isInvalid(error)).toBe(true);
    expect(isRetryable(error)).toBe(false);
    expect(unknownFieldPaths(error)).toEqual(['.spec.template.spec.containers[name="app"].imagePullPolicyy']);
  });

  itWithControllers("runs kube-controller-manager: an applied Deployment gets its ReplicaSet", async () => {
    const { store, namespace, podsBecomeReady } = await cluster();
    const ns = await namespace("rs");
    const applied = await store.apply(deployment(ns, 2), { fieldManager: "slipway" });

    const replicaSet = await eventually(async () => {
      const items = await store.list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: ns });
      return items.find((rs) =>
        (rs.metadata.ownerReferences as Array<{ uid: string }> | undefined)?.some((o) => o.uid === applied.metadata.uid),
      );
    });
    expect((replicaSet.spec as { replicas: number }).replicas).toBe(2);

    if (podsBecomeReady) {
      const available = await eventually(async () => {
        const live = await store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" });
        const status = live?.status as { availableReplicas?: number } | undefined;
        return status?.availableReplicas === 2 ? status : undefined;
      });
      expect(available.availableReplicas).toBe(2);
    }
  });
});
