import { describe, expect, it } from "vitest";
import { configReferences, hasConfigHash, type ConfigRefs } from "../../src/desired/config-refs.js";
import { workload } from "./fixtures.js";

const container = (fields: Record<string, unknown>) => ({ name: "app", image: "web:1", ...fields });

describe("configReferences", () => {
  it.each<{ case: string; pod: Record<string, unknown>; expected: ConfigRefs }>([
    { case: "no references", pod: { containers: [container({})] }, expected: { configMaps: [], secrets: [] } },
    {
      case: "volumes",
      pod: { containers: [container({})], volumes: [{ name: "c", configMap: { name: "cm" } }, { name: "s", secret: { secretName: "sec" } }, { name: "e", emptyDir: {} }] },
      expected: { configMaps: ["cm"], secrets: ["sec"] },
    },
    {
      case: "projected volumes",
      pod: {
        containers: [container({})],
        volumes: [{ name: "p", projected: { sources: [{ configMap: { name: "pcm" } }, { secret: { name: "psec" } }, { serviceAccountToken: { path: "t" } }] } }],
      },
      expected: { configMaps: ["pcm"], secrets: ["psec"] },
    },
    {
      case: "env valueFrom",
      pod: {
        containers: [
          container({
            env: [
              { name: "A", valueFrom: { configMapKeyRef: { name: "env-cm", key: "a" } } },
              { name: "B", valueFrom: { secretKeyRef: { name: "env-sec", key: "b" } } },
              { name: "C", value: "plain" },
              { name: "D", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            ],
          }),
        ],
      },
      expected: { configMaps: ["env-cm"], secrets: ["env-sec"] },
    },
    {
      case: "envFrom",
      pod: { containers: [container({ envFrom: [{ configMapRef: { name: "from-cm" } }, { secretRef: { name: "from-sec" }, prefix: "S_" }] })] },
      expected: { configMaps: ["from-cm"], secrets: ["from-sec"] },
    },
    {
      case: "init and ephemeral containers",
      pod: {
        containers: [container({})],
        initContainers: [container({ envFrom: [{ configMapRef: { name: "init-cm" } }] })],
        ephemeralContainers: [container({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "debug-sec", key: "x" } } }] })],
      },
      expected: { configMaps: ["init-cm"], secrets: ["debug-sec"] },
    },
    {
      case: "optional references",
      pod: { containers: [container({ envFrom: [{ configMapRef: { name: "maybe", optional: true } }] })], volumes: [{ name: "s", secret: { secretName: "maybe-sec", optional: true } }] },
      expected: { configMaps: ["maybe"], secrets: ["maybe-sec"] },
    },
    {
      case: "duplicates, sorted",
      pod: {
        containers: [container({ envFrom: [{ configMapRef: { name: "zeta" } }, { configMapRef: { name: "alpha" } }] }), container({ envFrom: [{ configMapRef: { name: "zeta" } }] })],
        volumes: [{ name: "v", configMap: { name: "alpha" } }],
      },
      expected: { configMaps: ["alpha", "zeta"], secrets: [] },
    },
    {
      case: "a ConfigMap and a Secret of the same name stay apart",
      pod: { containers: [container({ envFrom: [{ configMapRef: { name: "same" } }, { secretRef: { name: "same" } }] })] },
      expected: { configMaps: ["same"], secrets: ["same"] },
    },
    {
      case: "malformed entries are skipped",
      pod: { containers: [container({ env: "nope", envFrom: [null, { configMapRef: { name: 7 } }, { configMapRef: { name: "" } }] }), "junk"], volumes: {} },
      expected: { configMaps: [], secrets: [] },
    },
  ])("$case", ({ pod, expected }) => {
    expect(configReferences(workload(pod))).toEqual(expected);
  });

  const withConfig = { containers: [container({ envFrom: [{ configMapRef: { name: "cm" } }] })] };

  it.each([
    ["apps/v1", "Deployment", ["cm"]],
    ["apps/v1", "StatefulSet", ["cm"]],
    ["apps/v1", "DaemonSet", ["cm"]],
    ["apps/v1", "ReplicaSet", []],
    ["batch/v1", "Job", []],
    ["example.com/v1", "Deployment", []],
  ])("%s %s → %j", (apiVersion, kind, expected) => {
    expect(configReferences(workload(withConfig, { apiVersion, kind })).configMaps).toEqual(expected);
    expect(hasConfigHash({ apiVersion, kind })).toBe(expected.length > 0);
  });

  it("copes with a workload without a template", () => {
    expect(configReferences({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } })).toEqual({ configMaps: [], secrets: [] });
  });
});
