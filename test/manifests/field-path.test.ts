import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldsV1Tree, jsonEqual, lineOfFieldPath, objectTree, parseFieldPath, resolveFieldValue, type PathSegment } from "../../src/manifests/field-path.js";
import { parseManifestFile } from "../../src/manifests/parse.js";
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

/** A fieldsV1 tree as the API server records it for a Deployment, a Service and annotations. */
const fieldsV1 = {
  "f:metadata": {
    "f:annotations": { "f:example.com": {}, "f:example.com/owner": {}, "f:a.b.c": {} },
    "f:finalizers": { 'v:"example.com/cleanup"': {}, "v:7": {} },
  },
  "f:spec": {
    "f:replicas": {},
    "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:targetPort": {} } },
    "f:args": { "i:3": {} },
    "f:template": {
      "f:spec": {
        "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {} }, 'k:{"name":"a]b"}': { "f:image": {} } },
      },
    },
  },
};

const field = (name: string): PathSegment => ({ kind: "field", name });

describe("parseFieldPath against fieldsV1", () => {
  it.each<{ path: string; expected: PathSegment[] | undefined }>([
    { path: ".spec.replicas", expected: [field("spec"), field("replicas")] },
    {
      path: '.spec.template.spec.containers[name="app"].image',
      expected: [field("spec"), field("template"), field("spec"), field("containers"), { kind: "key", key: { name: "app" } }, field("image")],
    },
    { path: ".metadata.annotations.example.com/owner", expected: [field("metadata"), field("annotations"), field("example.com/owner")] },
    { path: ".metadata.annotations.example.com", expected: [field("metadata"), field("annotations"), field("example.com")] },
    { path: ".metadata.annotations.a.b.c", expected: [field("metadata"), field("annotations"), field("a.b.c")] },
    {
      path: '.spec.ports[port=80,protocol="TCP"].targetPort',
      expected: [field("spec"), field("ports"), { kind: "key", key: { port: 80, protocol: "TCP" } }, field("targetPort")],
    },
    // Key order in the path need not match the order in fieldsV1.
    { path: '.spec.ports[protocol="TCP",port=80]', expected: [field("spec"), field("ports"), { kind: "key", key: { protocol: "TCP", port: 80 } }] },
    { path: '.metadata.finalizers[="example.com/cleanup"]', expected: [field("metadata"), field("finalizers"), { kind: "value", value: "example.com/cleanup" }] },
    { path: ".metadata.finalizers[=7]", expected: [field("metadata"), field("finalizers"), { kind: "value", value: 7 }] },
    { path: ".spec.args[3]", expected: [field("spec"), field("args"), { kind: "index", index: 3 }] },
    {
      path: '.spec.template.spec.containers[name="a]b"].image',
      expected: [field("spec"), field("template"), field("spec"), field("containers"), { kind: "key", key: { name: "a]b" } }, field("image")],
    },
    // Not in the tree, or not a path.
    { path: ".spec.paused", expected: undefined },
    { path: ".metadata.annotations.example.com/other", expected: undefined },
    { path: '.spec.template.spec.containers[name="sidecar"].image', expected: undefined },
    { path: ".spec.ports[port=443]", expected: undefined },
    { path: '.spec.template.spec.containers[name="app"', expected: undefined },
    { path: ".spec.template.spec.containers[name=app]", expected: undefined },
    { path: "spec.replicas", expected: undefined },
    { path: ".spec.args[x]", expected: undefined },
    { path: '.spec.args[x].image[name="app"]', expected: undefined },
    { path: '.spec.ports[port=80,]', expected: undefined },
  ])("$path", ({ path, expected }) => {
    expect(parseFieldPath(path, fieldsV1Tree(fieldsV1))).toEqual(expected);
  });
});

const service = {
  metadata: { annotations: { "example.com/owner": "team-a", example: "no" } },
  spec: {
    ports: [
      { port: 80, protocol: "UDP", targetPort: 8053 },
      { port: 80, protocol: "TCP", targetPort: 8080 },
    ],
    args: ["a", "b"],
    finalizers: ["x", { deep: [1, 2] }],
    nothing: null,
  },
};

describe("parseFieldPath against an object", () => {
  it("takes the longest key the object has, so dotted keys resolve", () => {
    expect(parseFieldPath(".metadata.annotations.example.com/owner", objectTree(service))).toEqual([field("metadata"), field("annotations"), field("example.com/owner")]);
  });

  it("follows list items by key", () => {
    expect(parseFieldPath('.spec.ports[port=80,protocol="TCP"].targetPort', objectTree(service))).toHaveLength(4);
    expect(parseFieldPath('.spec.ports[port=80,protocol="SCTP"].targetPort', objectTree(service))).toBeUndefined();
  });
});

describe("resolveFieldValue", () => {
  it.each<{ case: string; segments: PathSegment[]; value: unknown }>([
    { case: "dotted map key", segments: [field("metadata"), field("annotations"), field("example.com/owner")], value: "team-a" },
    {
      case: "list item by every key, not the first match on one",
      segments: [field("spec"), field("ports"), { kind: "key", key: { port: 80, protocol: "TCP" } }, field("targetPort")],
      value: 8080,
    },
    { case: "index", segments: [field("spec"), field("args"), { kind: "index", index: 1 }], value: "b" },
    { case: "set member by structure", segments: [field("spec"), field("finalizers"), { kind: "value", value: { deep: [1, 2] } }], value: { deep: [1, 2] } },
    { case: "missing field", segments: [field("spec"), field("replicas")], value: undefined },
    { case: "index out of range", segments: [field("spec"), field("args"), { kind: "index", index: 2 }], value: undefined },
    { case: "field of a list", segments: [field("spec"), field("args"), field("length")], value: undefined },
    { case: "inherited property is not a field", segments: [field("spec"), field("toString")], value: undefined },
    { case: "present null", segments: [field("spec"), field("nothing")], value: null },
  ])("$case", ({ segments, value }) => {
    expect(resolveFieldValue(service, segments)).toEqual(value);
  });
});

describe("jsonEqual", () => {
  it.each([
    { a: { x: 1, y: [1, { z: "a" }] }, b: { y: [1, { z: "a" }], x: 1 }, expected: true },
    { a: { x: 1 }, b: { x: 1, y: undefined }, expected: false },
    { a: [1, 2], b: [2, 1], expected: false },
    { a: 80, b: "80", expected: false },
    { a: null, b: {}, expected: false },
  ])("$a vs $b → $expected", ({ a, b, expected }) => {
    expect(jsonEqual(a, b)).toBe(expected);
  });
});

describe("one grammar for conflicts and lines", () => {
  const content = lines(
    ...objectLines({ kind: "Deployment", name: "web" }).map((line) =>
      line === "  name: web" ? "  name: web\n  labels:\n    app: web\n    app.kubernetes.io/name: web\n    example.com/team: a.b" : line,
    ),
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "        - name: app",
    "          ports:",
    "            - containerPort: 8080",
    "              name: http",
    "            - containerPort: 9090",
    "              protocol: UDP",
    "        - name: side",
    "          image: side:1",
  );
  const [source] = parseManifestFile({ path: "web.yaml", content }).objects;
  if (!source) throw new Error("no object");
  const lineOf = (text: string) => content.toString().split("\n").findIndex((line) => line.includes(text)) + 1;

  it.each([
    // The bug: `app` is a key too, but the path goes on to `app.kubernetes.io/name`.
    [".metadata.labels.app.kubernetes.io/name", "app.kubernetes.io/name: web"],
    [".metadata.labels.app", "    app: web"],
    [".metadata.labels.example.com/team", "example.com/team"],
    ['.spec.template.spec.containers[name="side"].image', "image: side:1"],
    ['.spec.template.spec.containers[name="app"].ports[containerPort=9090,protocol="UDP"].protocol', "protocol: UDP"],
    // The manifest leaves out the defaulted protocol of the first port.
    ['.spec.template.spec.containers[name="app"].ports[containerPort=8080,protocol="TCP"].name', "name: http"],
  ])("%s is on the line of %j", (fieldPath, text) => {
    expect(lineOfFieldPath(source, fieldPath)).toBe(lineOf(text));
  });

  it("resolves the same dotted label against managedFields and against the object", () => {
    const managed = { "f:metadata": { "f:labels": { "f:app": {}, "f:app.kubernetes.io/name": {} } } };
    const expected = [{ kind: "field", name: "metadata" }, { kind: "field", name: "labels" }, { kind: "field", name: "app.kubernetes.io/name" }];
    expect(parseFieldPath(".metadata.labels.app.kubernetes.io/name", fieldsV1Tree(managed))).toEqual(expected);
    expect(parseFieldPath(".metadata.labels.app.kubernetes.io/name", objectTree(source.object))).toEqual(expected);
  });

  it("matches Service ports by port and protocol, in either key order", () => {
    const managed = { "f:spec": { "f:ports": { 'k:{"port":443,"protocol":"TCP"}': { "f:name": {} } } } };
    expect(parseFieldPath('.spec.ports[protocol="TCP",port=443].name', fieldsV1Tree(managed))).toHaveLength(4);
    expect(parseFieldPath('.spec.ports[port=443,protocol="UDP"].name', fieldsV1Tree(managed))).toBeUndefined();
  });
});
