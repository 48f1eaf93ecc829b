import { describe, expect, it } from "vitest";
import { displayName, refOf } from "../../src/manifests/object.js";
import { parseManifestFile } from "../../src/manifests/parse.js";
import type { SourceObject } from "../../src/manifests/types.js";
import { validateObjects, type ValidateParams } from "../../src/manifests/validate.js";
import { lines, objectLines } from "./yaml-text.js";

/** Objects from inline YAML, one file per string: a.yaml, b.yaml, … */
function objectsOf(...files: string[]): SourceObject[] {
  return files.flatMap((content, index) => {
    const parsed = parseManifestFile({ path: `${String.fromCharCode(97 + index)}.yaml`, content });
    if (parsed.findings.length > 0) throw new Error(JSON.stringify(parsed.findings));
    return parsed.objects;
  });
}

const object = (apiVersion: string, kind: string, name: string, namespace?: string) =>
  lines(...objectLines({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) }));

// What the test cluster serves; other kinds are unknown to it.
const served = new Map([
  ["v1/ConfigMap", true],
  ["v1/Secret", true],
  ["coordination.k8s.io/v1/Lease", true],
  ["v1/Service", true],
  ["apps/v1/Deployment", true],
  ["autoscaling/v1/HorizontalPodAutoscaler", true],
  ["autoscaling/v2/HorizontalPodAutoscaler", true],
  ["v1/Namespace", false],
  ["rbac.authorization.k8s.io/v1/ClusterRole", false],
  ["apiextensions.k8s.io/v1/CustomResourceDefinition", false],
]);
const isNamespaced = (ref: { apiVersion: string; kind: string }) => served.get(`${ref.apiVersion}/${ref.kind}`);

const validate = (objects: SourceObject[], params: Partial<ValidateParams> = {}) =>
  validateObjects({ objects, defaultNamespace: "apps", clusterScoped: false, isNamespaced, ...params });
const namesOf = (sources: SourceObject[]) => sources.map((source) => displayName(refOf(source.object)));

describe("validateObjects: placing objects", () => {
  it("fills in the default namespace on copies, keeping positions and lines", () => {
    const input = objectsOf(object("v1", "ConfigMap", "implicit") + "---\n" + object("v1", "ConfigMap", "explicit", "other"));
    const { objects, findings } = validate(input);
    expect(findings).toEqual([]);
    expect(namesOf(objects)).toEqual(["ConfigMap/apps/implicit", "ConfigMap/other/explicit"]);
    expect(input[0]?.object.metadata.namespace).toBeUndefined();
    expect(objects[0]?.object).not.toBe(input[0]?.object);
    expect(objects[1]?.position).toEqual({ file: "a.yaml", line: 6, column: 1 });
    expect(objects[1]?.lineOf(["metadata", "namespace"])).toBe(10);
  });

  it("without a cluster, leaves kinds it does not know as written", () => {
    const { objects, findings } = validate(objectsOf(object("example.com/v1", "Widget", "w")), { clusterKnown: false });
    expect(findings).toEqual([]);
    expect(namesOf(objects)).toEqual(["Widget/w"]);
  });

  it("takes the scope of a custom resource from its CustomResourceDefinition in the same change", () => {
    const crd = (scope: string, kind: string) =>
      lines(
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        `metadata: {name: ${kind.toLowerCase()}s.example.com}`,
        `spec: {group: example.com, scope: ${scope}, names: {kind: ${kind}}, versions: [{name: v1}]}`,
      );
    const input = objectsOf(
      crd("Namespaced", "Widget"),
      crd("Cluster", "Gadget"),
      object("example.com/v1", "Widget", "w"),
      object("example.com/v1", "Gadget", "g"),
      object("example.com/v2", "Widget", "v2"),
    );
    const { objects, findings } = validate(input, { clusterScoped: true });
    expect(namesOf(objects)).toEqual([
      "CustomResourceDefinition/widgets.example.com",
      "CustomResourceDefinition/gadgets.example.com",
      "Widget/apps/w",
      "Gadget/g",
    ]);
    expect(findings).toMatchObject([{ code: "unknown-kind", object: "Widget/v2", position: { file: "e.yaml" } }]);
  });
});

describe("validateObjects: findings", () => {
  it.each([
    {
      name: "a kind the cluster does not serve",
      files: [object("example.com/v1", "Widget", "w")],
      expected: { code: "unknown-kind", object: "Widget/w", line: 1, message: "the cluster does not serve Widget in example.com/v1" },
    },
    {
      name: "the same object twice, in two versions and files",
      files: [
        object("autoscaling/v1", "HorizontalPodAutoscaler", "web"),
        "# second\n" + object("autoscaling/v2", "HorizontalPodAutoscaler", "web", "apps"),
      ],
      expected: {
        code: "duplicate-object",
        object: "HorizontalPodAutoscaler/apps/web",
        line: 2,
        message: "defined twice, at a.yaml:1 and b.yaml:2",
      },
      kept: ["HorizontalPodAutoscaler/apps/web"],
    },
    {
      name: "a namespace that is not allowed",
      files: [object("v1", "ConfigMap", "c", "kube-system")],
      params: { allowedNamespaces: ["apps", "web"] },
      expected: { code: "namespace-not-allowed", object: "ConfigMap/kube-system/c", line: 5, message: "(allowed: apps, web)" },
    },
    {
      name: "a default namespace that is not allowed",
      files: [object("v1", "ConfigMap", "c")],
      params: { allowedNamespaces: ["web"] },
      expected: { code: "namespace-not-allowed", object: "ConfigMap/apps/c", line: 3, message: 'namespace "apps" is not allowed' },
    },
    {
      name: "a cluster-scoped kind when the environment does not allow them",
      files: [object("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", "apps")],
      expected: {
        code: "cluster-scoped-not-allowed",
        object: "ClusterRole/reader",
        line: 1,
        message: "set `clusterScoped: true` for the environment in .github/slipway.yml",
      },
    },
    {
      name: "a namespace on a cluster-scoped kind, which is dropped",
      files: [object("v1", "Namespace", "web", "apps")],
      params: { clusterScoped: true },
      expected: { severity: "warning", code: "namespace-on-cluster-scoped", object: "Namespace/web", line: 5, message: "cluster-scoped" },
      kept: ["Namespace/web"],
    },
    {
      name: "a namespaced object without a namespace or a default",
      files: [object("v1", "ConfigMap", "c")],
      params: { defaultNamespace: undefined },
      expected: { code: "namespace-missing", object: "ConfigMap/c", line: 3, message: "set metadata.namespace" },
    },
  ])("reports $name", ({ files, params = {}, expected: { line, message, ...expected }, kept = [] }) => {
    const { objects, findings } = validate(objectsOf(...files), params);
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        ...expected,
        position: expect.objectContaining({ line }) as unknown,
        message: expect.stringContaining(message) as unknown,
      }) as unknown,
    ]);
    expect(namesOf(objects)).toEqual(kept);
  });

  it.each([
    ["different groups", [object("v1", "Service", "web"), object("apps/v1", "Deployment", "web")]],
    ["different namespaces", [object("v1", "ConfigMap", "c", "apps"), object("v1", "ConfigMap", "c", "web")]],
  ])("does not call objects in %s duplicates", (_name, files) => {
    expect(validate(objectsOf(...files)).findings).toEqual([]);
  });

  it("finds a duplicate between an implicit and an explicit default namespace", () => {
    const { findings } = validate(objectsOf(object("v1", "ConfigMap", "c"), object("v1", "ConfigMap", "c", "apps")));
    expect(findings).toMatchObject([{ code: "duplicate-object", object: "ConfigMap/apps/c", position: { file: "b.yaml", line: 1 } }]);
  });

  it("gives every finding the object's name and a position in its file", () => {
    const input = objectsOf(
      object("v1", "ConfigMap", "c", "kube-system"),
      object("example.com/v1", "Widget", "w"),
      object("v1", "Namespace", "team", "x"),
    );
    const { findings } = validate(input, { allowedNamespaces: ["apps"] });
    expect(findings.map((finding) => [finding.object, finding.position?.file, typeof finding.position?.line])).toEqual([
      ["ConfigMap/kube-system/c", "a.yaml", "number"],
      ["Widget/w", "b.yaml", "number"],
      ["Namespace/team", "c.yaml", "number"],
    ]);
  });
});

describe("validateObjects: what the environment and the server's policy grant", () => {
  it("lets only the granted cluster-scoped kinds through", () => {
    const input = objectsOf(object("v1", "Namespace", "team"), object("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"));
    const { objects, findings } = validate(input, { clusterScoped: ["Namespace"] });
    expect(namesOf(objects)).toEqual(["Namespace/team"]);
    expect(findings).toMatchObject([{ code: "cluster-scoped-not-allowed", object: "ClusterRole/reader" }]);
    expect(validate(input, { clusterScoped: ["rbac.authorization.k8s.io/ClusterRole"] }).findings).toMatchObject([{ object: "Namespace/team" }]);
  });

  it("matches namespaces against names and patterns", () => {
    const input = objectsOf(object("v1", "ConfigMap", "a", "web-blue"), object("v1", "ConfigMap", "b", "payments"));
    const { objects, findings } = validate(input, { allowedNamespaces: ["web-*"] });
    expect(namesOf(objects)).toEqual(["ConfigMap/web-blue/a"]);
    expect(findings).toMatchObject([{ code: "namespace-not-allowed", object: "ConfigMap/payments/b" }]);
  });

  it("refuses Slipway's own objects: inventories, Leases, ApplySet parents", () => {
    const input = objectsOf(
      object("v1", "ConfigMap", "slipway-inventory-production"),
      object("coordination.k8s.io/v1", "Lease", "slipway-inventory-production-lock"),
      lines("apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: parent", "  labels:", "    applyset.kubernetes.io/id: applyset-x-v1"),
      object("v1", "Secret", "slipway-credentials"),
    );
    const { objects, findings } = validate(input);
    // Only ConfigMaps and Leases are Slipway's kinds of state: a Secret of that name is the user's.
    expect(namesOf(objects)).toEqual(["Secret/apps/slipway-credentials"]);
    expect(findings.map((finding) => `${finding.code} ${finding.object ?? ""}`)).toEqual([
      "slipway-owned ConfigMap/apps/slipway-inventory-production",
      "slipway-owned Lease/apps/slipway-inventory-production-lock",
      "slipway-owned ConfigMap/apps/parent",
    ]);
  });
});
