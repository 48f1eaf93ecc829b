import { describe, expect, it } from "vitest";
import { fieldsV1Tree, jsonEqual, objectTree, parseFieldPath, resolveFieldValue } from "../../src/plan/field-path.js";
import type { PathSegment } from "../../src/plan/field-path.js";

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
