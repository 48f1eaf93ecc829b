// The canary's router against the real API server and the released Gateway API and Istio CRDs:
// it moves weights by writing the whole atomic list of rules under its own field manager; Git's
// route applied as written then conflicts with it (which is why plan and apply must hold the
// rules back while a canary runs), the live rules apply cleanly, and at weight 0 the route is
// Git's again, so that Slipway's apply shares the rules with the canary without a conflict.
import { beforeAll, describe, expect, it } from "vitest";
import { readRouteWeight, routeObject, setRouteWeight } from "../../src/canary/router.js";
import type { RouteRule, RouterConfig } from "../../src/desired/route-kinds.js";
import { rulesOf } from "../../src/desired/route-kinds.js";
import { isFieldManagerConflict, type KubeApiError } from "../../src/kube/errors.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { ensureCanaryAssets } from "../cluster/canary-assets.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";
import { installCanaryCrds } from "./harness/crds.js";
import { routeWeights } from "./harness/router.js";

const slipway = "slipway";
const canaryManager = "slipway-canary";

function httpRoute(namespace: string): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "web", namespace, labels: { app: "web" } },
    spec: {
      hostnames: ["web.example.com"],
      rules: [
        { backendRefs: [{ name: "web", port: 80 }] },
        {
          matches: [{ path: { type: "PathPrefix", value: "/beta" }, headers: [{ name: "x-beta", value: "true" }] }],
          backendRefs: [{ name: "web", port: 8080 }],
        },
      ],
    },
  };
}

function virtualService(namespace: string): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "web", namespace, labels: { app: "web" } },
    spec: {
      hosts: ["web"],
      http: [
        { route: [{ destination: { host: `web.${namespace}.svc.cluster.local`, port: { number: 80 } } }] },
        { match: [{ headers: { "x-beta": { exact: "true" } } }], route: [{ destination: { host: "web", port: { number: 8080 } } }] },
      ],
    },
  };
}

const gateway: RouterConfig = { type: "gateway-api", httpRoute: "web" };
const routers: Array<{ router: RouterConfig; route: (namespace: string) => KubeObject; rules: string }> = [
  { router: gateway, route: httpRoute, rules: "rules" },
  { router: { type: "istio", virtualService: "web" }, route: virtualService, rules: "http" },
];

async function conflict(promise: Promise<unknown>): Promise<KubeApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFieldManagerConflict(error)).toBe(true);
  return error as KubeApiError;
}

/** The fields under spec each manager owns, by manager. */
function specOwners(object: KubeObject | undefined): Record<string, string[]> {
  const entries = (object?.metadata.managedFields ?? []) as Array<{ manager: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } }>;
  return Object.fromEntries(entries.map((entry) => [entry.manager, Object.keys(entry.fieldsV1?.["f:spec"] ?? {}).sort()]));
}

describeWithCluster("the canary router", () => {
  const cluster = useCluster();

  beforeAll(async () => {
    const { store } = await cluster();
    // Returns at once when the assets are cached; the first build takes minutes.
    await installCanaryCrds(store, await ensureCanaryAssets());
  }, 20 * 60_000);

  it("needs the canary to let go at 0: Git's HTTPRoute rules, written back as they are by another manager, still conflict", async () => {
    // The API server fills in the CRD's defaults after comparing the applied list with the live
    // one, so the same rules as written and as stored differ (kubernetes/kubernetes#129960).
    const { store, namespace } = await cluster();
    const ns = await namespace("router-defaults");
    const git = httpRoute(ns);
    const stored = await store.apply(git, { fieldManager: slipway });
    expect(rulesOf(gateway, stored)?.[0]).toEqual({
      matches: [{ path: { type: "PathPrefix", value: "/" } }],
      backendRefs: [{ group: "", kind: "Service", name: "web", port: 80, weight: 1 }],
    });
    await store.apply(routeObject(gateway, { namespace: ns, rules: rulesOf(gateway, git)! }), { fieldManager: canaryManager, force: true });
    await conflict(store.apply(git, { fieldManager: slipway }));
  });

  describe.each(routers)("through $router.type", ({ router, route, rules: rulesField }) => {
    const names = (namespace: string) => ({ namespace, service: "web", canaryService: "web-canary" });
    const get = (store: ObjectStore, namespace: string) => store.get({ apiVersion: route(namespace).apiVersion, kind: route(namespace).kind, namespace, name: "web" });

    it("moves 10% to the canary under its own manager, conflicts with Git's rules until it is back at 0, and shares them then", async () => {
      const { store, namespace } = await cluster();
      const ns = await namespace("router");
      const git = route(ns);
      const base = rulesOf(router, git) as RouteRule[];
      const set = (weight: number) => setRouteWeight(store, router, { ...names(ns), base, weight, fieldManager: canaryManager });

      // Slipway's apply of the route as Git has it: no force.
      const applied = await store.apply(git, { fieldManager: slipway });
      expect(await readRouteWeight(store, router, names(ns))).toEqual({ ok: true, weight: 0 });

      expect(await set(10)).toEqual({ ok: true, weight: 10 });
      const atTen = await get(store, ns);
      // What the harness's router would send (it follows the first rule), and what the controller reads.
      expect(routeWeights(atTen!)).toEqual({ web: 90, "web-canary": 10 });
      expect(await readRouteWeight(store, router, names(ns))).toEqual({ ok: true, weight: 10 });
      // The canary took the whole list; Slipway keeps the rest of the spec (and its labels).
      expect(specOwners(atTen)[canaryManager]).toEqual([`f:${rulesField}`]);
      expect(specOwners(atTen)[slipway]).not.toContain(`f:${rulesField}`);
      expect(atTen?.metadata.labels).toEqual({ app: "web" });

      // The same weight again writes nothing.
      expect(await set(10)).toEqual({ ok: true, weight: 10 });
      expect((await get(store, ns))?.metadata.resourceVersion).toBe(atTen?.metadata.resourceVersion);

      // Git's route as written now conflicts on the rules: plan and apply must hold them back.
      const refused = await conflict(store.apply(git, { fieldManager: slipway }));
      expect(refused.causes).toEqual([
        expect.objectContaining({ reason: "FieldManagerConflict", field: `.spec.${rulesField}`, message: expect.stringContaining(`conflict with "${canaryManager}"`) }),
      ]);
      // Holding back: Git's route with the live rules applies, and changes no weight.
      const liveRules = rulesOf(router, atTen!) as RouteRule[];
      const heldBack = { ...git, spec: { ...(git.spec as object), [rulesField]: liveRules } };
      await store.apply(heldBack, { fieldManager: slipway });
      // So does the router's own body for it, which names nothing but the rules.
      await store.apply(routeObject(router, { namespace: ns, rules: liveRules }), { fieldManager: slipway, dryRun: true });
      expect(await readRouteWeight(store, router, names(ns))).toEqual({ ok: true, weight: 10 });

      // Back at 0 the route holds Git's rules again and the canary has let go of them.
      expect(await set(0)).toEqual({ ok: true, weight: 0 });
      const atZero = await get(store, ns);
      expect(rulesOf(router, atZero!)).toEqual(rulesOf(router, applied));
      expect(await readRouteWeight(store, router, names(ns))).toEqual({ ok: true, weight: 0 });
      expect(specOwners(atZero)[canaryManager]).toBeUndefined();
      expect(atZero?.metadata.labels).toEqual({ app: "web" });
      // Again: nothing to write.
      expect(await set(0)).toEqual({ ok: true, weight: 0 });
      expect((await get(store, ns))?.metadata.resourceVersion).toBe(atZero?.metadata.resourceVersion);
      // Git's route as written applies without a conflict, and its manager owns the rules again.
      const gitAgain = await store.apply(git, { fieldManager: slipway });
      expect(specOwners(gitAgain)[slipway]).toContain(`f:${rulesField}`);
      expect(rulesOf(router, gitAgain)).toEqual(rulesOf(router, applied));
    });

    it("says the route is missing, and does not create it", async () => {
      const { store, namespace } = await cluster();
      const ns = await namespace("router-missing");
      const base = rulesOf(router, route(ns)) as RouteRule[];
      const kind = route(ns).kind;
      const missing = { ok: false, problem: { code: "route-missing", message: `${kind}/${ns}/web does not exist: the canary has no route to move traffic with.` } };

      expect(await readRouteWeight(store, router, names(ns))).toEqual(missing);
      expect(await setRouteWeight(store, router, { ...names(ns), base, weight: 10, fieldManager: canaryManager })).toEqual(missing);
      expect(await get(store, ns)).toBeUndefined();
    });
  });
});
