// The router's answers that a shared test cluster cannot give: the route's CRDs not installed
// (every test file shares one cluster that has them), and what it does before any request.
import { describe, expect, it } from "vitest";
import type { RouterConfig } from "../../src/desired/route-kinds.js";
import { readRouteWeight, routeErrorProblem, routeObject, setRouteWeight, type RouteStore } from "../../src/canary/router.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { UnknownKindError } from "../../src/kube/objects.js";
import type { ObjectRef } from "../../src/manifests/object.js";

const gateway: RouterConfig = { type: "gateway-api", httpRoute: "web" };
const istio: RouterConfig = { type: "istio", virtualService: "web" };
const names = { namespace: "apps", service: "web", canaryService: "web-canary" };

/** A store whose every call fails as the real one does when discovery does not list the kind. */
const withoutCrds: RouteStore = {
  get: (ref: ObjectRef) => Promise.reject(new UnknownKindError(ref)),
  apply: (object) => Promise.reject(new UnknownKindError(object)),
  releaseFields: (object) => Promise.reject(new UnknownKindError(object)),
};
const untouchable: RouteStore = {
  get: () => Promise.reject(new Error("no request expected")),
  apply: () => Promise.reject(new Error("no request expected")),
  releaseFields: () => Promise.reject(new Error("no request expected")),
};

describe("the router", () => {
  it.each([
    [gateway, "The cluster does not serve HTTPRoute in gateway.networking.k8s.io/v1, so HTTPRoute/apps/web cannot split traffic: install the Gateway API CRDs (https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api)."],
    [istio, "The cluster does not serve VirtualService in networking.istio.io/v1, so VirtualService/apps/web cannot split traffic: install Istio's CRDs (the istio/base Helm chart, or istioctl install)."],
  ])("says which CRDs to install when the cluster does not serve the route's kind (%o)", async (router, message) => {
    const problem = { ok: false, problem: { code: "kind-not-served", message } };
    expect(await readRouteWeight(withoutCrds, router, names)).toEqual(problem);
    const base = [{ backendRefs: [{ name: "web", port: 80 }] }, { route: [{ destination: { host: "web" } }] }];
    expect(await setRouteWeight(withoutCrds, router, { ...names, base, weight: 5, fieldManager: "slipway-canary" })).toEqual(problem);
  });

  it("lets other errors through: an outage or a refusal is not the route's problem", () => {
    const forbidden = new KubeApiError(403, { reason: "Forbidden" }, { method: "GET", path: "/apis/gateway.networking.k8s.io/v1" });
    expect(routeErrorProblem(forbidden, gateway, "apps")).toBeUndefined();
    expect(routeErrorProblem(new Error("socket hang up"), gateway, "apps")).toBeUndefined();
  });

  it("returns the base's problem without a request, and stops before any request once aborted", async () => {
    const nowhere = { ...names, base: [{ backendRefs: [{ name: "docs", port: 80 }] }], weight: 5, fieldManager: "slipway-canary" };
    expect(await setRouteWeight(untouchable, gateway, nowhere)).toMatchObject({ ok: false, problem: { code: "no-service-backend" } });
    const aborted = AbortSignal.abort(new Error("superseded"));
    const params = { ...names, base: [{ backendRefs: [{ name: "web", port: 80 }] }], weight: 5, fieldManager: "slipway-canary", signal: aborted };
    await expect(setRouteWeight(untouchable, gateway, params)).rejects.toThrow("superseded");
  });

  it("writes nothing but the identity and the rules", () => {
    expect(routeObject(istio, { namespace: "apps", rules: [{ route: [{ destination: { host: "web" } }] }] })).toEqual({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "web", namespace: "apps" },
      spec: { http: [{ route: [{ destination: { host: "web" } }] }] },
    });
  });
});
