import { describe, expect, it } from "vitest";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";

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
