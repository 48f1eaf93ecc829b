import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { yamlLines } from "../../src/plan/yaml-lines.js";

describe("yamlLines", () => {
  const samples: Record<string, unknown> = {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { "app.kubernetes.io/name": "web", "slipway.dev/environment": "prod" }, annotations: { empty: "" } },
      spec: {
        replicas: 3,
        paused: false,
        template: {
          spec: {
            containers: [
              { name: "app", image: "registry.example.com/web:1.5.0", args: ["--port", "8080", "yes", "1.0", "a: b", " lead", "#x"], env: [{ name: "A", value: "true" }] },
            ],
            volumes: [],
            nodeSelector: {},
          },
        },
      },
    },
    tricky: { "key with: colon": "null", "0123": "0123", n: "n", list: [[1, 2], [], {}, null], script: "#!/bin/sh\necho hi\n\nexit 0\n", noTrail: "a\nb" },
  };

  it.each(Object.entries(samples))("writes YAML that reads back as the same data: %s", (_, value) => {
    expect(parse(yamlLines(value), { version: "1.1" })).toEqual(value);
  });

  it("puts list items' first key on the dash line, as kubectl prints", () => {
    expect(yamlLines({ containers: [{ name: "app", image: "x" }] })).toBe("containers:\n  - name: app\n    image: x\n");
  });
});
