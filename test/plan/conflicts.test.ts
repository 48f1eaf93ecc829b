import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/manifests/object.js";
import { analyzeConflicts, parseConflictCause } from "../../src/plan/conflicts.js";
import type { StatusCauseLike } from "../../src/plan/conflicts.js";
import { SECRET_MASK } from "../../src/plan/secrets.js";

describe("parseConflictCause", () => {
  it.each([
    {
      message: 'conflict with "kube-controller-manager" with subresource "scale" using apps/v1',
      expected: { manager: "kube-controller-manager", subresource: "scale", apiVersion: "apps/v1" },
    },
    { message: 'conflict with "kubectl-edit" using apps/v1', expected: { manager: "kubectl-edit", apiVersion: "apps/v1" } },
    { message: 'conflict with "flux"', expected: { manager: "flux" } },
    {
      message: 'conflict with "kubectl-edit" using apps/v1 at 2024-05-03T09:30:00Z',
      expected: { manager: "kubectl-edit", apiVersion: "apps/v1", time: "2024-05-03T09:30:00Z" },
    },
    { message: 'conflicts with "my \\"quoted\\" tool" using v1', expected: { manager: 'my "quoted" tool', apiVersion: "v1" } },
    { message: "the object has been modified", expected: undefined },
  ])("$message", ({ message, expected }) => {
    expect(parseConflictCause(message)).toEqual(expected);
  });
});

/** A live Deployment as the API server returns it, with the owners of the fields that conflict. */
const live: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "apps",
    annotations: { "example.com/owner": "team-a" },
    managedFields: [
      { manager: "slipway", operation: "Apply", apiVersion: "apps/v1", time: "2024-05-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } },
      { manager: "kube-controller-manager", operation: "Update", apiVersion: "apps/v1", time: "2024-05-02T12:00:00Z", subresource: "status", fieldsV1: { "f:status": {} } },
      { manager: "kube-controller-manager", operation: "Update", apiVersion: "apps/v1", time: "2024-05-02T11:00:00Z", subresource: "scale", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      {
        manager: "kubectl-edit",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2024-05-03T09:30:00Z",
        fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"app"}': { "f:image": {}, "f:args": {} } } } } } },
      },
      { manager: "flux", operation: "Update", apiVersion: "apps/v1", time: "2024-04-01T00:00:00Z", fieldsV1: {} },
      { manager: "flux", operation: "Apply", apiVersion: "apps/v1", time: "2024-05-04T08:00:00Z", fieldsV1: { "f:metadata": { "f:annotations": { "f:example.com/owner": {} } } } },
    ],
  },
  spec: {
    replicas: 5,
    template: {
      spec: {
        containers: [
          { name: "sidecar", image: "envoy:1" },
          { name: "app", image: "nginx:1.26", args: ["x".repeat(500)] },
        ],
      },
    },
  },
};

/** The forced dry-run result: Slipway's values. */
const desired: KubeObject = {
  ...live,
  metadata: { ...live.metadata, annotations: { "example.com/owner": "team-b" } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "sidecar", image: "envoy:1" }, { name: "app", image: "nginx:1.27", args: ["--fast"] }] } } },
};

// The causes of a real 409 (an HPA through `scale`, a `kubectl edit`), plus an Apply owner of a dotted map key.
const causes: StatusCauseLike[] = [
  { reason: "FieldManagerConflict", message: 'conflict with "kube-controller-manager" with subresource "scale" using apps/v1', field: ".spec.replicas" },
  { reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.template.spec.containers[name="app"].image' },
  { reason: "FieldManagerConflict", message: 'conflict with "flux"', field: ".metadata.annotations.example.com/owner" },
  { reason: "FieldValueInvalid", message: "not a conflict", field: ".spec.replicas" },
];

describe("analyzeConflicts", () => {
  const conflicts = analyzeConflicts({ object: "Deployment/apps/web", causes, live, desired, isSecret: false });

  it("reports FieldManagerConflict causes only", () => {
    expect(conflicts.map((conflict) => conflict.field)).toEqual([".spec.replicas", '.spec.template.spec.containers[name="app"].image', ".metadata.annotations.example.com/owner"]);
  });

  it("attributes replicas written through scale to the HorizontalPodAutoscaler", () => {
    expect(conflicts[0]).toEqual({
      object: "Deployment/apps/web",
      field: ".spec.replicas",
      manager: "kube-controller-manager",
      operation: "Update",
      subresource: "scale",
      apiVersion: "apps/v1",
      time: "2024-05-02T11:00:00Z",
      ownerKind: "controller",
      liveValue: "5",
      desiredValue: "2",
      advice: expect.stringContaining("Remove `spec.replicas` from the manifest and let the HorizontalPodAutoscaler own it") as unknown,
      blocking: false,
    });
  });

  it("treats kubectl edit as a manual change that merging overwrites", () => {
    expect(conflicts[1]).toMatchObject({
      manager: "kubectl-edit",
      operation: "Update",
      time: "2024-05-03T09:30:00Z",
      ownerKind: "manual-edit",
      liveValue: '"nginx:1.26"',
      desiredValue: '"nginx:1.27"',
      blocking: false,
    });
    expect(conflicts[1]?.advice).toContain("will be overwritten on merge; move it into the manifest if it should stay");
    expect(conflicts[1]?.subresource).toBeUndefined();
  });

  it("blocks on another applier, picking its Apply entry and resolving the dotted key", () => {
    expect(conflicts[2]).toMatchObject({
      manager: "flux",
      operation: "Apply",
      apiVersion: "apps/v1",
      time: "2024-05-04T08:00:00Z",
      ownerKind: "gitops-tool",
      liveValue: '"team-a"',
      desiredValue: '"team-b"',
      blocking: true,
    });
    expect(conflicts[2]?.advice).toContain("Two tools managing one field will fight");
  });

  it("cuts long values to one short line", () => {
    const [conflict] = analyzeConflicts({
      object: "Deployment/apps/web",
      causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.template.spec.containers[name="app"].args' }],
      live,
      desired,
      isSecret: false,
    });
    expect(conflict?.liveValue?.length).toBeLessThanOrEqual(200);
    expect(conflict?.liveValue).toMatch(/^\["x+…$/);
    expect(conflict?.desiredValue).toBe('["--fast"]');
  });

  it("infers the operation from the message and reads values from the objects when managedFields lack the owner", () => {
    const bare = { ...live, metadata: { name: "web", namespace: "apps" } };
    const [conflict] = analyzeConflicts({ object: "Deployment/apps/web", causes: causes.slice(1, 2), live: bare, desired, isSecret: false });
    expect(conflict).toMatchObject({ operation: "Update", apiVersion: "apps/v1", ownerKind: "manual-edit", liveValue: '"nginx:1.26"' });
    expect(conflict?.time).toBeUndefined();
  });

  it("reports an unreadable cause without blocking", () => {
    const [conflict] = analyzeConflicts({ object: "Deployment/apps/web", causes: [{ reason: "FieldManagerConflict", message: "??", field: ".spec.replicas" }], live, desired, isSecret: false });
    expect(conflict).toMatchObject({ manager: "unknown", ownerKind: "manual-edit", blocking: false, liveValue: "5" });
    expect(conflict?.operation).toBeUndefined();
  });

  it("never shows a Secret's values", () => {
    const planted = "planted-s3cret-value";
    const encoded = Buffer.from(planted).toString("base64");
    const secret = (value: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "db",
        namespace: "apps",
        managedFields: [{ manager: "kubectl-edit", operation: "Update", apiVersion: "v1", fieldsV1: { "f:data": { "f:password": {} } } }],
      },
      data: { password: value },
    });
    const result = analyzeConflicts({
      object: "Secret/apps/db",
      causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".data.password" }],
      live: secret(encoded),
      desired: secret(Buffer.from("other-planted-value").toString("base64")),
      isSecret: true,
    });
    expect(result[0]).toMatchObject({ liveValue: SECRET_MASK, desiredValue: SECRET_MASK });
    const text = JSON.stringify(result);
    for (const leak of [planted, encoded, "other-planted-value"]) expect(text).not.toContain(leak);
  });
});
