import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lineOfFieldPath, parseManifestFile } from "../../src/manifests/parse.js";
import type { SourceObject } from "../../src/manifests/types.js";
import { lines, objectLines } from "./yaml-text.js";

const path = "fixtures/manifests/app.yaml";
const app = parseManifestFile({ path, content: readFileSync(path) });
const objectNamed = (kind: string): SourceObject => {
  const found = app.objects.find(({ object }) => object.kind === kind);
  if (!found) throw new Error(`${kind} missing from ${path}`);
  return found;
};
const deployment = objectNamed("Deployment");
const configMap = objectNamed("ConfigMap");

describe("SourceObject.lineOf", () => {
  it.each<[ReadonlyArray<string | number>, number]>([
    [[], 2],
    [["spec", "replicas"], 9],
    [["spec", "template", "spec", "containers", 1, "image"], 22],
    [["spec", "template", "spec", "containers", 0], 19],
    [["metadata", "annotations", "example.com/owner"], 7],
    // Missing paths: the nearest ancestor that exists.
    [["spec", "template", "spec", "containers", 5, "image"], 18],
    [["spec", "strategy", "type"], 8],
    [["spec", "replicas", "deeper"], 9],
    [["status"], 2],
  ])("finds %j on line %i of the Deployment", (fieldPath, line) => {
    expect(deployment.lineOf(fieldPath)).toBe(line);
  });

  it("follows aliases and finds keys that YAML reads as numbers or booleans", () => {
    const content = lines(...objectLines({ name: "x" }), "spec:", "  a: &x", "    b: 1", "  c: *x", "  80: http", "  on: yes");
    const [source] = parseManifestFile({ path: "x.yaml", content }).objects;
    const fieldPaths = [["spec", "c", "b"], ["spec", "80"], ["spec", "true"]];
    expect(fieldPaths.map((fieldPath) => source?.lineOf(fieldPath))).toEqual([7, 9, 10]);
  });
});

describe("lineOfFieldPath", () => {
  it.each([
    ["", 2],
    [".spec.replicas", 9],
    ['.spec.template.spec.containers[name="app"].image', 22],
    ['.spec.template.spec.containers[name="sidecar"].image', 20],
    ['.spec.template.spec.containers[name="app"].args[="--port=8080"]', 23],
    [".spec.template.spec.containers[1].ports[0].containerPort", 25],
    // The server's keys include the defaulted protocol, which the manifest leaves out.
    ['.spec.template.spec.containers[name="app"].ports[containerPort=8080,protocol="TCP"].containerPort', 25],
    [".metadata.annotations.example.com/owner", 7],
    // Not in the file: the nearest ancestor that is.
    ['.spec.template.spec.containers[name="missing"].image', 18],
    ['.spec.template.spec.containers[name="app"].ports[containerPort=9090,protocol="TCP"]', 24],
    ['.spec.template.spec.containers[name="app"].resources.limits.cpu', 21],
    ['.spec.template.spec.containers[name="app"].args[="--quiet"]', 23],
    [".spec.template.spec.containers[7]", 18],
    [".metadata.labels.app", 4],
    // Not field paths at all: the object's first line.
    ["spec.replicas", 2],
    ['.spec.template.spec.containers[name="app"', 2],
    [".spec.template.spec.containers[name=app]", 2],
    [".spec.template.spec.containers[]", 2],
  ])("finds %j on line %i of the Deployment", (fieldPath, line) => {
    expect(lineOfFieldPath(deployment, fieldPath)).toBe(line);
  });

  it.each([
    [".data.app.properties", 45],
    [".data.enabled", 47],
    [".data.app.missing", 44],
  ])("joins dotted map keys: %j on line %i of the ConfigMap", (fieldPath, line) => {
    expect(lineOfFieldPath(configMap, fieldPath)).toBe(line);
  });

  it("reads JSON key values with commas, brackets and quotes, and keys of several fields", () => {
    const content = lines(
      ...objectLines({ kind: "Service", name: "x" }),
      "spec:",
      "  ports:",
      "    - {name: 'a,b]\"c', port: 80, protocol: UDP}",
      "    - {name: 'a,b]\"c', port: 80, protocol: TCP}",
    );
    const [source] = parseManifestFile({ path: "x.yaml", content }).objects;
    if (!source) throw new Error("no object");
    expect(lineOfFieldPath(source, '.spec.ports[name="a,b]\\"c",port=80,protocol="TCP"].port')).toBe(8);
    expect(lineOfFieldPath(source, '.spec.ports[port=80,protocol="UDP"]')).toBe(7);
  });
});
