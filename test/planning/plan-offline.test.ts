import { describe, expect, it } from "vitest";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import { parseFiles } from "../../src/manifests/manifest-file.js";
import type { ManifestParser } from "../../src/planning/parse-pool.js";
import { planEnvironment, planWithBodies } from "../../src/planning/plan-environment.js";

function environment(namespace: string): EnvironmentConfig {
  return defineEnvironment({ name: "test", paths: ["**/*.yaml"], namespace });
}

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: ${image}
`;

describe("planEnvironment offline", () => {
  it("diffs against the base revision and says server-side checks were skipped", async () => {
    const plan = await planEnvironment({
      environment: environment("apps"),
      head: [{ path: "web.yaml", content: deployment("web:2") }],
      base: [{ path: "web.yaml", content: `${deployment("web:1")}---\n${"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n"}` }],
      target: { mode: "offline" },
      fieldManager: "slipway",
    });
    expect(plan.mode).toBe("offline");
    expect(plan.objects.map((object) => [object.name, object.action])).toEqual([
      ["Deployment/apps/web", "change"],
      ["ConfigMap/apps/gone", "prune"],
    ]);
    expect(plan.objects[0]?.diff).toContain("+        - image: web:2");
  });
});

describe("planEnvironment when reading the manifests stopped short", () => {
  const head = [{ path: "web.yaml", content: deployment("web:2") }];
  const base = [{ path: "web.yaml", content: `${deployment("web:1")}---\n${"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n"}` }];

  it.each(["input-over-budget", "parse-timeout", "parse-out-of-memory"])("plans nothing, not even what the base has and the head seems to lack (%s)", async (code) => {
    const stopped = { severity: "error" as const, code, message: "stopped" };
    const parser: ManifestParser = {
      // The head's read stopped; the base's did not.
      parse: (files) => Promise.resolve(files === head ? { objects: [], findings: [stopped] } : parseFiles(files)),
    };
    const { plan, desired } = await planWithBodies({ environment: environment("apps"), head, base, target: { mode: "offline" }, fieldManager: "slipway", parser });
    expect(plan.objects).toEqual([]);
    expect(plan.findings).toEqual([stopped]);
    expect(desired).toBeUndefined();
  });

  it("plans nothing past the budget with the real parser", async () => {
    const plan = await planEnvironment({ environment: environment("apps"), head, base, target: { mode: "offline" }, fieldManager: "slipway", parser: { parse: (files) => Promise.resolve(parseFiles(files, { budget: { maxTotalBytes: 100 } })) } });
    expect(plan.objects).toEqual([]);
    expect(plan.findings).toMatchObject([{ code: "input-over-budget" }, { code: "input-over-budget" }]);
  });
});
