import { describe, expect, it } from "vitest";
import { configHash } from "../../src/desired/config-hash.js";
import { configHashAnnotation, configOutsideSet, environmentLabel, stampObject, stampWorkloads, type LiveConfigLookup } from "../../src/desired/stamp.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { base64, configMap, secret, workload } from "./fixtures.js";

const reads = (configMapName: string, secretName?: string) => ({
  containers: [
    {
      name: "app",
      image: "web:1",
      envFrom: [{ configMapRef: { name: configMapName } }, ...(secretName ? [{ secretRef: { name: secretName } }] : [])],
    },
  ],
});

const templateHash = (object: KubeObject | undefined): unknown =>
  (object?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations?.[configHashAnnotation];

function hashWith(objects: KubeObject[], lookupLive?: LiveConfigLookup): unknown {
  return templateHash(stampWorkloads({ configHashKey: "test-key", objects, environment: "prod", ...(lookupLive ? { lookupLive } : {}) }).objects.find((o) => o.kind === "Deployment"));
}

describe("stampObject", () => {
  it("adds the environment label and keeps the others", () => {
    const stamped = stampObject(configMap("cm"), { environment: "prod" });
    expect(stamped.metadata.labels).toEqual({ [environmentLabel]: "prod" });
    const labelled: KubeObject = { ...configMap("cm"), metadata: { name: "cm", labels: { app: "web" } } };
    expect(stampObject(labelled, { environment: "prod" }).metadata.labels).toEqual({ app: "web", [environmentLabel]: "prod" });
  });
});

describe("stampWorkloads", () => {
  const web = workload(reads("web-config", "web-credentials"));
  const cm = configMap("web-config", { data: { LOG_LEVEL: "info" } });
  const sec = secret("web-credentials", { data: { token: base64("s3cret") } });

  it("labels every object and hashes the workload's config from the desired set", () => {
    const { objects, rollouts } = stampWorkloads({ configHashKey: "test-key", objects: [web, cm, sec], environment: "prod" });
    expect(objects.map((object) => object.metadata.labels?.[environmentLabel])).toEqual(["prod", "prod", "prod"]);
    const expected = configHash({
      key: "test-key",
      refs: { configMaps: ["web-config"], secrets: ["web-credentials"] },
      lookup: (kind) => (kind === "ConfigMap" ? cm : sec),
    });
    expect(templateHash(objects[0])).toBe(expected);
    expect(rollouts).toEqual(new Map([["Deployment/apps/web", ["ConfigMap/apps/web-config", "Secret/apps/web-credentials"]]]));
  });

  it("keeps the template's other annotations and labels, and leaves its input alone", () => {
    const annotated = workload(reads("web-config"));
    (annotated.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations = { "prometheus.io/scrape": "true" };
    const before = structuredClone(annotated);
    const [stamped] = stampWorkloads({ configHashKey: "test-key", objects: [annotated, cm], environment: "prod" }).objects;
    expect((stamped?.spec as { template: { metadata: unknown } }).template.metadata).toEqual({
      labels: { app: "web" },
      annotations: { "prometheus.io/scrape": "true", [configHashAnnotation]: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(annotated).toEqual(before);
  });

  it("changes the hash when a referenced value changes, and only then", () => {
    const base = hashWith([web, cm, sec]);
    expect(hashWith([web, configMap("web-config", { data: { LOG_LEVEL: "debug" } }), sec])).not.toBe(base);
    expect(hashWith([web, cm, secret("web-credentials", { data: { token: base64("other") } })])).not.toBe(base);
    expect(hashWith([web, cm, sec, configMap("unrelated", { data: { x: "1" } })])).toBe(base);
    expect(hashWith([sec, cm, web])).toBe(base);
  });

  it("uses only objects in the workload's namespace", () => {
    const elsewhere = configMap("web-config", { data: { LOG_LEVEL: "debug" } }, "other");
    expect(hashWith([web, cm, sec, elsewhere])).toBe(hashWith([web, cm, sec]));
    expect(hashWith([web, elsewhere, sec])).toBe(hashWith([web, sec]));
  });

  it("falls back to the live object for config the manifests do not contain", () => {
    const asked: string[] = [];
    const lookupLive: LiveConfigLookup = (kind, namespace, name) => {
      asked.push(`${kind}/${namespace}/${name}`);
      return kind === "Secret" ? { ...sec, metadata: { ...sec.metadata, resourceVersion: "42" } } : undefined;
    };
    expect(hashWith([web, cm], lookupLive)).toBe(hashWith([web, cm, sec]));
    expect(asked).toEqual(["Secret/apps/web-credentials"]);
  });

  it("records an object found nowhere as absent", () => {
    expect(hashWith([web, cm])).not.toBe(hashWith([web, cm, sec]));
    expect(hashWith([web, cm])).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<{ case: string; object: KubeObject }>([
    { case: "the workload opted out", object: workload(reads("web-config"), { annotations: { [configHashAnnotation]: "disabled" } }) },
    { case: "it reads no config", object: workload({ containers: [{ name: "app", image: "web:1" }] }) },
    { case: "it is not a Deployment, StatefulSet or DaemonSet", object: workload(reads("web-config"), { apiVersion: "batch/v1", kind: "Job" }) },
  ])("writes no hash when $case", ({ object }) => {
    const { objects, rollouts } = stampWorkloads({ configHashKey: "test-key", objects: [object, cm], environment: "prod" });
    expect(templateHash(objects[0])).toBeUndefined();
    expect(objects[0]?.metadata.labels?.[environmentLabel]).toBe("prod");
    expect(rollouts.size).toBe(0);
  });

  it("hashes StatefulSets and DaemonSets too", () => {
    const kinds = ["StatefulSet", "DaemonSet"].map((kind) => workload(reads("web-config"), { kind, name: kind.toLowerCase() }));
    const { objects, rollouts } = stampWorkloads({ configHashKey: "test-key", objects: [...kinds, cm], environment: "prod" });
    expect(objects.slice(0, 2).map(templateHash)).toEqual([expect.any(String), expect.any(String)]);
    expect([...rollouts.keys()]).toEqual(["StatefulSet/apps/statefulset", "DaemonSet/apps/daemonset"]);
  });

  it("never returns a Secret value outside the Secret itself", () => {
    const { objects, rollouts } = stampWorkloads({ configHashKey: "test-key", objects: [web, cm, sec], environment: "prod" });
    const outside = JSON.stringify([objects.filter((object) => object.kind !== "Secret"), [...rollouts]]);
    expect(outside).not.toContain("s3cret");
    expect(outside).not.toContain(base64("s3cret"));
  });
});

describe("configOutsideSet", () => {
  it("lists what the workloads read that the manifests lack, once, sorted", () => {
    const objects = [
      workload(reads("web-config", "web-credentials")),
      workload(reads("web-config", "api-credentials"), { name: "api" }),
      workload(reads("ignored"), { name: "off", annotations: { [configHashAnnotation]: "disabled" } }),
      configMap("web-config"),
    ];
    expect(configOutsideSet(objects)).toEqual([
      { kind: "Secret", namespace: "apps", name: "api-credentials" },
      { kind: "Secret", namespace: "apps", name: "web-credentials" },
    ]);
  });
});
