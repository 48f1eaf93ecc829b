import { describe, expect, it } from "vitest";
import { canarySchema } from "../../src/config/canary-schema.js";
import { canaryLabelValue, holdBackForCanaries, revisionAnnotation, templateRevision, type CanaryLive } from "../../src/desired/canary.js";
import { formatPromoted, promotedAnnotation, promotedRevisions } from "../../src/desired/promoted-revisions.js";
import { identityKey, refOf, type KubeObject } from "../../src/manifests/object.js";

const namespace = "shop";
const config = canarySchema.parse({ workload: "Deployment/web", service: "web", router: { type: "gateway-api", httpRoute: "web" } });

function deployment(image: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace, labels: { app: "web", "applyset.kubernetes.io/part-of": "applyset-x" }, ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web", tier: "front" } },
        spec: {
          containers: [{ name: "web", image, envFrom: [{ configMapRef: { name: "web-config" } }], env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "web-token", key: "t" } } }] }],
        },
      },
    },
  };
}
const configMap = (level: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config", namespace }, data: { level } });
const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace }, spec: { selector: { app: "web", tier: "front" }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } };
const route = (backendRefs: unknown[]): KubeObject => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "web", namespace }, spec: { rules: [{ backendRefs }] } });

/** A fake clock: the time a revision the stable Deployment takes is recorded with. */
const now = Date.parse("2026-11-20T10:00:00Z");
const bodiesOf = (...objects: KubeObject[]) => new Map(objects.map((object) => [identityKey(refOf(object)), object]));
const key = (object: KubeObject) => identityKey(refOf(object));

describe("holding back a canaried workload", () => {
  const runningV1 = deployment("web:1", { [revisionAnnotation]: templateRevision(deployment("web:1")) });

  it("applies a new Deployment as written, recording its revision", () => {
    const desired = deployment("web:1");
    const { bodies, decisions } = holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live: new Map(), now });
    expect(decisions.map((decision) => decision.kind)).toEqual(["none"]);
    expect(bodies.get(key(desired))?.metadata.annotations?.[revisionAnnotation]).toBe(templateRevision(desired));
  });

  it("leaves a Deployment that runs the desired revision alone", () => {
    const desired = deployment("web:1");
    const { decisions } = holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live: new Map([["web", { stable: runningV1, configs: new Map() }]]), now });
    expect(decisions[0]?.kind).toBe("none");
  });

  it("keeps the stable template, config and route, and sends the new revision to a canary of its own", () => {
    const desired = deployment("web:2");
    const liveConfig = configMap("info");
    const liveRoute = route([{ name: "web", port: 80, weight: 90 }, { name: "web-canary", port: 80, weight: 10 }]);
    const live: CanaryLive = { stable: runningV1, route: liveRoute, configs: new Map([["ConfigMap/web-config", liveConfig]]) };
    const gitRoute = route([{ name: "web", port: 80 }]);
    const { bodies, decisions } = holdBackForCanaries({
      bodies: bodiesOf(desired, configMap("debug"), service, gitRoute),
      namespace,
      canaries: [config],
      live: new Map([["web", live]]),
      now,
    });
    const [decision] = decisions;
    expect(decision?.kind).toBe("start");
    expect(decision?.revision).toBe(templateRevision(desired));
    // Stable: the live template and revision, Git's other fields.
    const stable = bodies.get(key(desired))!;
    expect(stable.spec).toEqual({ ...(desired.spec as object), template: (runningV1.spec as { template: unknown }).template });
    expect(stable.metadata.annotations?.[revisionAnnotation]).toBe(runningV1.metadata.annotations?.[revisionAnnotation]);
    expect(bodies.get(key(liveConfig))?.data).toEqual({ level: "info" });
    expect(bodies.get(key(gitRoute))?.spec).toEqual(liveRoute.spec);
    expect(decision?.heldBack).toEqual(["Deployment/shop/web", "ConfigMap/shop/web-config", "HTTPRoute/shop/web"]);
    expect(decision?.routeBase).toEqual([{ backendRefs: [{ name: "web", port: 80 }] }]);

    // Canary: a Deployment with the new template reading a copy of the new config, selected apart.
    const copyName = `web-config-canary-${decision!.revision.slice(0, 8)}`;
    const byName = new Map(decision!.canaryObjects.map((object) => [`${object.kind}/${object.metadata.name}`, object]));
    expect([...byName.keys()]).toEqual([`ConfigMap/${copyName}`, "Deployment/web-canary", "Service/web-canary"]);
    expect(byName.get(`ConfigMap/${copyName}`)?.data).toEqual({ level: "debug" });
    const canary = byName.get("Deployment/web-canary")!;
    const spec = canary.spec as { replicas?: number; selector: unknown; template: { metadata: { labels: unknown }; spec: { containers: Array<{ image: string; envFrom: unknown; env: unknown }> } } };
    expect(spec.replicas).toBeUndefined();
    expect(spec.selector).toEqual({ matchLabels: { app: "web-canary" } });
    expect(spec.template.metadata.labels).toEqual({ app: "web-canary", tier: "front-canary" });
    expect(spec.template.spec.containers[0]?.image).toBe("web:2");
    expect(spec.template.spec.containers[0]?.envFrom).toEqual([{ configMapRef: { name: copyName } }]);
    // The Secret is not in Git here: the canary reads the one that exists.
    expect(spec.template.spec.containers[0]?.env).toEqual([{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "web-token", key: "t" } } }]);
    expect(canary.metadata.labels).toEqual({ app: "web", "slipway.dev/canary-of": "web" });
    expect(canary.metadata.annotations?.[revisionAnnotation]).toBe(decision?.revision);
    expect(byName.get("Service/web-canary")?.spec).toEqual({ selector: { app: "web-canary", tier: "front-canary" }, ports: [{ port: 80, targetPort: 8080 }] });
  });

  it("promotes: the stable Deployment and its config take the canary's revision, and the route stays as the router has it", () => {
    const desired = deployment("web:2");
    const liveRoute = route([{ name: "web", port: 80, weight: 50 }, { name: "web-canary", port: 80, weight: 50 }]);
    const state = { revision: templateRevision(desired), phase: "promoting" };
    const { bodies, decisions } = holdBackForCanaries({
      bodies: bodiesOf(desired, configMap("debug"), route([{ name: "web", port: 80 }])),
      namespace,
      canaries: [config],
      live: new Map([["web", { stable: runningV1, route: liveRoute, configs: new Map([["ConfigMap/web-config", configMap("info")]]), state }]]),
      now,
    });
    expect(decisions[0]?.kind).toBe("promote");
    expect((bodies.get(key(desired))?.spec as { template: unknown }).template).toEqual((desired.spec as { template: unknown }).template);
    expect(bodies.get(key(configMap("x")))?.data).toEqual({ level: "debug" });
    expect(bodies.get(key(liveRoute))?.spec).toEqual(liveRoute.spec);
    expect(decisions[0]?.canaryObjects).toEqual([]);
  });

  it("holds a revision whose canary failed, until a new commit or a retry", () => {
    const desired = deployment("web:2");
    const state = { revision: templateRevision(desired), phase: "failed" };
    const live = new Map([["web", { stable: runningV1, configs: new Map(), state }]]);
    const held = holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live, now });
    expect(held.decisions[0]?.kind).toBe("held");
    expect(held.decisions[0]?.canaryObjects).toEqual([]);
    expect((held.bodies.get(key(desired))?.spec as { template: unknown }).template).toEqual((runningV1.spec as { template: unknown }).template);
    const retried = holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live, retry: new Set(["web"]), now });
    expect(retried.decisions[0]?.kind).toBe("start");
    const next = holdBackForCanaries({ bodies: bodiesOf(deployment("web:3")), namespace, canaries: [config], live, now });
    expect(next.decisions[0]?.kind).toBe("start");
  });

  describe("revisions the stable Deployment ran (slipway.dev/promoted)", () => {
    const v1 = templateRevision(deployment("web:1"));
    const v2 = templateRevision(deployment("web:2"));
    const promotedV1 = "2026-11-19T08:00:00.000Z";
    /** Stable runs web:2, promoted after web:1. */
    const runningV2 = deployment("web:2", {
      [revisionAnnotation]: v2,
      [promotedAnnotation]: formatPromoted([{ revision: v2, at: "2026-11-19T09:00:00.000Z" }, { revision: v1, at: promotedV1 }]),
    });
    const hold = (desired: KubeObject, live: CanaryLive, at = now) => holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live: new Map([["web", live]]), now: at });

    it("records the first revision of a new Deployment at the apply's time", () => {
      const desired = deployment("web:1");
      const { bodies } = holdBackForCanaries({ bodies: bodiesOf(desired), namespace, canaries: [config], live: new Map(), now });
      expect(promotedRevisions(bodies.get(key(desired)))).toEqual([{ revision: v1, at: "2026-11-20T10:00:00.000Z" }]);
    });

    it("promotes a revert to a recently promoted revision at once: no canary, and the stable Deployment takes it, newest first", () => {
      const desired = deployment("web:1");
      const { bodies, decisions } = hold(desired, { stable: runningV2, configs: new Map([["ConfigMap/web-config", configMap("info")]]) });
      const [decision] = decisions;
      expect(decision).toMatchObject({ kind: "revert", revision: v1, stableRevision: v2, promotedAt: promotedV1, canaryObjects: [], heldBack: [] });
      expect(decision?.reason).toBe(`Revert to a revision promoted at ${promotedV1}: it is promoted at once, without a canary.`);
      const stable = bodies.get(key(desired))!;
      expect((stable.spec as { template: unknown }).template).toEqual((desired.spec as { template: unknown }).template);
      expect(stable.metadata.annotations?.[revisionAnnotation]).toBe(v1);
      expect(promotedRevisions(stable)).toEqual([
        { revision: v1, at: "2026-11-20T10:00:00.000Z" },
        { revision: v2, at: "2026-11-19T09:00:00.000Z" },
      ]);
    });

    it("canaries a revision that is not on the list, and keeps the list as it is while the stable Deployment is held back", () => {
      const desired = deployment("web:3");
      const { bodies, decisions } = hold(desired, { stable: runningV2, configs: new Map() });
      expect(decisions[0]?.kind).toBe("start");
      expect(bodies.get(key(desired))?.metadata.annotations?.[promotedAnnotation]).toBe(runningV2.metadata.annotations?.[promotedAnnotation]);
    });

    it("sends the list unchanged when the stable Deployment runs the revision already (an apply that dropped it would lose it)", () => {
      const desired = deployment("web:2");
      const later = now + 86_400_000;
      const { bodies, decisions } = hold(desired, { stable: runningV2, configs: new Map() }, later);
      expect(decisions[0]?.kind).toBe("none");
      expect(bodies.get(key(desired))?.metadata.annotations?.[promotedAnnotation]).toBe(runningV2.metadata.annotations?.[promotedAnnotation]);
    });

    it("keeps five revisions, forgetting the oldest; a revision taken again moves to the front", () => {
      const revisions = ["web:10", "web:11", "web:12", "web:13", "web:14"].map((image, index) => ({ revision: templateRevision(deployment(image)), at: `2026-11-1${index}T00:00:00.000Z` }));
      const stable = deployment("web:14", { [revisionAnnotation]: revisions[4]!.revision, [promotedAnnotation]: formatPromoted([...revisions].reverse()) });
      const reverted = hold(deployment("web:12"), { stable, configs: new Map() });
      expect(reverted.decisions[0]).toMatchObject({ kind: "revert", promotedAt: "2026-11-12T00:00:00.000Z" });
      const list = promotedRevisions(reverted.bodies.get(key(stable)));
      expect(list.map((entry) => entry.revision)).toEqual([revisions[2], revisions[4], revisions[3], revisions[1], revisions[0]].map((entry) => entry!.revision));
      // A sixth revision (promoted through its canary) pushes the oldest out.
      const state = { revision: v1, phase: "promoting" };
      const promoted = hold(deployment("web:1"), { stable, configs: new Map(), state });
      expect(promoted.decisions[0]?.kind).toBe("promote");
      expect(promotedRevisions(promoted.bodies.get(key(stable))).map((entry) => entry.revision)).toEqual([v1, ...[...revisions].reverse().slice(0, 4).map((entry) => entry.revision)]);
    });

    it("stops a running canary when Git goes back to the revision the stable Deployment runs", () => {
      const state = { revision: templateRevision(deployment("web:3")), phase: "progressing" };
      const liveRoute = route([{ name: "web", port: 80, weight: 80 }, { name: "web-canary", port: 80, weight: 20 }]);
      const { decisions } = hold(deployment("web:2"), { stable: runningV2, route: liveRoute, configs: new Map(), state });
      expect(decisions[0]).toMatchObject({ kind: "revert", revision: v2 });
      expect(decisions[0]?.promotedAt).toBeUndefined();
      expect(decisions[0]?.reason).toMatch(/the canary of revision \w+ stops, and all traffic goes back to stable/);
      // Rolling back already: it ends as failed, on its own.
      const rollingBack = hold(deployment("web:2"), { stable: runningV2, configs: new Map(), state: { ...state, phase: "rolling-back" } });
      expect(rollingBack.decisions[0]?.kind).toBe("none");
    });

    it("reads an annotation broken by hand as no list", () => {
      for (const value of ["not json", "{}", '[{"revision":1}]', '[{"revision":"a","at":"yesterday"}]']) {
        expect(promotedRevisions(deployment("web:1", { [promotedAnnotation]: value }))).toEqual([]);
      }
    });
  });

  it("keeps label values within 63 characters", () => {
    expect(canaryLabelValue("a".repeat(63))).toHaveLength(63);
    expect(canaryLabelValue("web")).toBe("web-canary");
  });
});
