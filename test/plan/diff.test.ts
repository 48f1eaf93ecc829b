import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/manifests/object.js";
import { diffObjects, toComparableYaml } from "../../src/plan/diff.js";

function deployment(overrides: { image?: string; replicas?: number; containers?: Array<Record<string, unknown>> } = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "apps", labels: { app: "web" } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: overrides.containers ?? [{ name: "app", image: overrides.image ?? "nginx:1.27" }] },
      },
    },
  };
}

/** The same object as the server returns it: other key order, server-set fields, status. */
function asServerReturns(object: KubeObject): KubeObject {
  const { spec, ...rest } = structuredClone(object);
  return {
    status: { replicas: 2 },
    spec,
    ...rest,
    metadata: {
      uid: "1234",
      resourceVersion: "99",
      generation: 3,
      managedFields: [{ manager: "slipway", operation: "Apply" }],
      ...object.metadata,
      annotations: { "deployment.kubernetes.io/revision": "3" },
    },
  };
}

const name = "Deployment/apps/web";

describe("diffObjects", () => {
  it("is empty when only key order and server-set fields differ", () => {
    expect(diffObjects({ name, live: asServerReturns(deployment()), desired: deployment() })).toBe("");
  });

  it("names both sides and shows the changed line with context", () => {
    const diff = diffObjects({ name, live: asServerReturns(deployment({ image: "nginx:1.26" })), desired: deployment() });
    const lines = diff.split("\n");
    expect(lines[0]).toBe(`--- live/${name}`);
    expect(lines[1]).toBe(`+++ desired/${name}`);
    expect(lines).toContain("-        - image: nginx:1.26");
    expect(lines).toContain("+        - image: nginx:1.27");
    expect(lines.filter((line) => line.startsWith("-") && !line.startsWith("---"))).toHaveLength(1);
  });

  it("keeps three lines of context either side, not the whole object", () => {
    const diff = diffObjects({ name, live: deployment({ replicas: 5 }), desired: deployment({ replicas: 2 }) });
    expect(diff.split("\n").slice(2)).toEqual([
      "@@ -6,7 +6,7 @@",
      "   name: web",
      "   namespace: apps",
      " spec:",
      "-  replicas: 5",
      "+  replicas: 2",
      "   selector:",
      "     matchLabels:",
      "       app: web",
      "",
    ]);
  });

  it("shows every line as added for a create", () => {
    const diff = diffObjects({ name, live: undefined, desired: deployment() });
    const body = diff.split("\n").slice(2).filter((line) => line !== "");
    expect(body[0]).toMatch(/^@@ -0,0 \+1,\d+ @@$/);
    expect(body.slice(1).every((line) => line.startsWith("+"))).toBe(true);
    expect(body).toContain("+kind: Deployment");
  });

  it("keeps list order: reordered containers are a change", () => {
    const a = { name: "a", image: "a:1" };
    const b = { name: "b", image: "b:1" };
    expect(diffObjects({ name, live: deployment({ containers: [a, b] }), desired: deployment({ containers: [b, a] }) })).not.toBe("");
  });

  it("does not fold long strings, so a change stays on one line", () => {
    const long = "x".repeat(300);
    const diff = diffObjects({ name, live: deployment({ image: `${long}-1` }), desired: deployment({ image: `${long}-2` }) });
    expect(diff.split("\n").filter((line) => /^[-+] /.test(line))).toHaveLength(2);
  });

  it("compares a Secret's stringData with the server's data, masked", () => {
    const live: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: Buffer.from("pw-1234").toString("base64") } };
    const desired: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "pw-1234" } };
    expect(diffObjects({ name: "Secret/db", live, desired })).toBe("");
    const added = diffObjects({ name: "Secret/db", live, desired: { ...desired, stringData: { password: "pw-1234", extra: "pw-5678" } } });
    expect(added).toContain("+  extra: (hidden)");
    expect(added).not.toContain("pw-5678");
  });
});

describe("toComparableYaml", () => {
  it("sorts map keys at every depth and never writes aliases", () => {
    const shared = { b: 1, a: 2 };
    // `y` is quoted: YAML 1.1, which kubectl reads, takes a bare y for true.
    expect(toComparableYaml({ z: shared, y: [shared, { d: 1, c: 2 }] })).toBe(
      ['"y":', "  - a: 2", "    b: 1", "  - c: 2", "    d: 1", "z:", "  a: 2", "  b: 1", ""].join("\n"),
    );
  });
});
