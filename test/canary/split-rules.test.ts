import { describe, expect, it } from "vitest";
import type { RouteRule, RouterConfig } from "../../src/desired/route-kinds.js";
import { canaryWeightOf, splitRules } from "../../src/canary/split-rules.js";
import { rulesOf } from "../../src/desired/route-kinds.js";

const gateway: RouterConfig = { type: "gateway-api", httpRoute: "web" };
const istio: RouterConfig = { type: "istio", virtualService: "web" };
const names = { namespace: "apps", service: "web", canaryService: "web-canary" };
const at = (weight: number) => ({ ...names, weight });

const rules = (result: ReturnType<typeof splitRules>): RouteRule[] => {
  if (!result.ok) throw new Error(result.problem.message);
  return result.rules;
};
const weightIn = (router: RouterConfig, split: RouteRule[]) => {
  const read = canaryWeightOf(router, split, names);
  if (!read.ok) throw new Error(read.problem.message);
  return read.weight;
};

describe("splitRules for an HTTPRoute", () => {
  const matchRule = {
    matches: [{ path: { type: "PathPrefix", value: "/api" }, headers: [{ name: "x-beta", value: "true" }] }],
    filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "x-route", value: "api" }] } }],
    backendRefs: [{ name: "web", port: 8080, filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-b", value: "1" }] } }] }],
    timeouts: { request: "10s" },
  };
  const base: RouteRule[] = [
    matchRule,
    { backendRefs: [{ name: "web", port: 80 }] },
    { matches: [{ path: { type: "PathPrefix", value: "/docs" } }], backendRefs: [{ name: "docs", port: 80 }] },
  ];

  it.each([0, 5, 50, 100])("at %i%% splits every backend of the Service into stable 100-w and canary w, and reads back as %i", (weight) => {
    const split = rules(splitRules(gateway, base, at(weight)));
    if (weight === 0) {
      expect(split).toEqual(base);
    } else {
      expect(split[1]).toEqual({ backendRefs: [{ name: "web", port: 80, weight: 100 - weight }, { name: "web-canary", port: 80, weight }] });
    }
    expect(weightIn(gateway, split)).toBe(weight);
  });

  it("keeps matches, filters, timeouts and the backends' own filters and ports; touches a rule without the Service not at all", () => {
    const split = rules(splitRules(gateway, base, at(5)));
    const { backendRefs: _backends, ...rest } = matchRule;
    expect(split[0]).toEqual({
      ...rest,
      backendRefs: [
        { ...matchRule.backendRefs[0], weight: 95 },
        { ...matchRule.backendRefs[0], name: "web-canary", weight: 5 },
      ],
    });
    expect(split[2]).toEqual(base[2]);
    // Nothing shared with the base: the caller may keep it.
    expect(base[0]).toEqual(matchRule);
    expect(split[0]).not.toBe(base[0]);
  });

  it("at 0 gives back the base deep-equal, weights and absent fields as written", () => {
    const written: RouteRule[] = [{ backendRefs: [{ name: "web", port: 80, weight: 7 }, { name: "legacy", port: 80 }] }];
    expect(splitRules(gateway, written, at(0))).toEqual({ ok: true, rules: written });
  });

  it("scales other backends of the same rule so that they keep their share, and the canary takes w% of the Service's", () => {
    const base: RouteRule[] = [{ backendRefs: [{ name: "web", port: 80, weight: 80 }, { name: "legacy", port: 80, weight: 20 }] }];
    const split = rules(splitRules(gateway, base, at(10)));
    // 80:20 is 4 units to 1; the Service's 4 units split 90:10 of 100, legacy's unit is 100.
    expect(split[0]?.backendRefs).toEqual([
      { name: "web", port: 80, weight: 360 },
      { name: "web-canary", port: 80, weight: 40 },
      { name: "legacy", port: 80, weight: 100 },
    ]);
    const [stable, canary, legacy] = (split[0]?.backendRefs as Array<{ weight: number }>).map((backend) => backend.weight);
    expect(legacy! / (stable! + canary! + legacy!)).toBeCloseTo(0.2, 10);
    expect(canary! / (stable! + canary! + legacy!)).toBeCloseTo(0.08, 10);
    expect(weightIn(gateway, split)).toBe(10);
  });

  it("counts a backend without a weight as the CRD's default of 1, and leaves one of weight 0 alone", () => {
    const base: RouteRule[] = [{ backendRefs: [{ name: "web", port: 80 }, { name: "legacy", port: 80 }, { name: "off", port: 80, weight: 0 }] }];
    expect(rules(splitRules(gateway, base, at(25)))[0]?.backendRefs).toEqual([
      { name: "web", port: 80, weight: 75 },
      { name: "web-canary", port: 80, weight: 25 },
      { name: "legacy", port: 80, weight: 100 },
      { name: "off", port: 80, weight: 0 },
    ]);
  });

  it("splits several backends of the Service in one rule (two ports), each in the same proportion", () => {
    const base: RouteRule[] = [{ backendRefs: [{ name: "web", port: 80, weight: 2 }, { name: "web", port: 8080, weight: 1 }] }];
    const split = rules(splitRules(gateway, base, at(50)));
    expect(split[0]?.backendRefs).toEqual([
      { name: "web", port: 80, weight: 100 },
      { name: "web-canary", port: 80, weight: 100 },
      { name: "web", port: 8080, weight: 50 },
      { name: "web-canary", port: 8080, weight: 50 },
    ]);
    expect(weightIn(gateway, split)).toBe(50);
  });

  it("takes as the Service only a core Service of that name in the route's namespace", () => {
    const notIt = [
      { name: "web", port: 80, kind: "ServiceImport", group: "multicluster.x-k8s.io" },
      { name: "web", port: 80, namespace: "other" },
      { name: "web-api", port: 80 },
    ];
    const base: RouteRule[] = [{ backendRefs: [...notIt, { name: "web", port: 80, kind: "Service", group: "", namespace: "apps" }] }];
    const split = rules(splitRules(gateway, base, at(5)));
    expect(split[0]?.backendRefs).toEqual([
      ...notIt.map((backend) => ({ ...backend, weight: 100 })),
      { name: "web", port: 80, kind: "Service", group: "", namespace: "apps", weight: 95 },
      { name: "web-canary", port: 80, kind: "Service", group: "", namespace: "apps", weight: 5 },
    ]);
  });

  it("returns a problem, not an exception, for a route that sends nothing to the Service", () => {
    const elsewhere: RouteRule[] = [{ backendRefs: [{ name: "docs", port: 80 }] }, { backendRefs: [{ name: "web", port: 80, weight: 0 }, { name: "docs", port: 80 }] }];
    for (const base of [elsewhere, [], [{ matches: [] }]]) {
      expect(splitRules(gateway, base, at(10))).toEqual({
        ok: false,
        problem: { code: "no-service-backend", message: "HTTPRoute web routes nothing to Service web: add a backend for it to one of its rules." },
      });
    }
    // At 0 too: the base is checked whatever the weight.
    expect(splitRules(gateway, elsewhere, at(0)).ok).toBe(false);
  });

  it("refuses a base that already names the canary Service", () => {
    const result = splitRules(gateway, [{ backendRefs: [{ name: "web", port: 80, weight: 100 }, { name: "web-canary", port: 80, weight: 0 }] }], at(10));
    expect(result).toMatchObject({ ok: false, problem: { code: "canary-in-base" } });
  });

  it("refuses a split past the CRD's limits: 16 backends a rule, weights up to 1,000,000", () => {
    const crowded: RouteRule[] = [{ backendRefs: Array.from({ length: 9 }, (_, i) => ({ name: "web", port: 8000 + i })) }];
    expect(splitRules(gateway, crowded, at(10))).toMatchObject({ ok: false, problem: { code: "too-many-backends" } });
    const heavy: RouteRule[] = [{ backendRefs: [{ name: "web", port: 80, weight: 1 }, { name: "legacy", port: 80, weight: 999_999 }] }];
    expect(splitRules(gateway, heavy, at(10))).toMatchObject({ ok: false, problem: { code: "weight-too-large" } });
  });

  it("throws on a weight that is not a whole percentage: a bug in the caller, not the route", () => {
    expect(() => splitRules(gateway, [], at(101))).toThrow(RangeError);
    expect(() => splitRules(gateway, [], at(2.5))).toThrow(RangeError);
  });
});

describe("splitRules for a VirtualService", () => {
  const base: RouteRule[] = [
    {
      name: "beta",
      match: [{ headers: { "x-beta": { exact: "true" } } }],
      route: [{ destination: { host: "web.apps.svc.cluster.local", port: { number: 8080 }, subset: "v1" } }],
      retries: { attempts: 3 },
    },
    { route: [{ destination: { host: "web" }, weight: 100 }] },
  ];

  it.each([0, 5, 50, 100])("at %i%% splits each destination of the Service, keeping its host form, port and subset", (weight) => {
    const split = rules(splitRules(istio, base, at(weight)));
    if (weight === 0) {
      expect(split).toEqual(base);
    } else {
      expect(split[0]).toEqual({
        name: "beta",
        match: [{ headers: { "x-beta": { exact: "true" } } }],
        route: [
          { destination: { host: "web.apps.svc.cluster.local", port: { number: 8080 }, subset: "v1" }, weight: 100 - weight },
          { destination: { host: "web-canary.apps.svc.cluster.local", port: { number: 8080 }, subset: "v1" }, weight },
        ],
        retries: { attempts: 3 },
      });
      expect(split[1]?.route).toEqual([
        { destination: { host: "web" }, weight: 100 - weight },
        { destination: { host: "web-canary" }, weight },
      ]);
    }
    expect(weightIn(istio, split)).toBe(weight);
  });

  it.each([
    ["web", "web-canary"],
    ["web.apps", "web-canary.apps"],
    ["web.apps.svc", "web-canary.apps.svc"],
    ["web.apps.svc.cluster.local", "web-canary.apps.svc.cluster.local"],
  ])("knows the Service as %s and names the canary %s", (host, canaryHost) => {
    const split = rules(splitRules(istio, [{ route: [{ destination: { host } }] }], at(10)));
    expect(split[0]?.route).toEqual([
      { destination: { host }, weight: 90 },
      { destination: { host: canaryHost }, weight: 10 },
    ]);
  });

  it.each(["web.other", "web.other.svc.cluster.local", "web.example.com", "webapp", "web.apps.svc.corp.local"])(
    "does not take %s for the Service",
    (host) => {
      expect(splitRules(istio, [{ route: [{ destination: { host } }] }], at(10))).toMatchObject({
        ok: false,
        problem: { code: "no-service-backend", message: expect.stringContaining("VirtualService web routes nothing to Service web") },
      });
    },
  );

  it("scales other destinations to keep their share; one without a weight among several gets none and stays so", () => {
    const split = rules(
      splitRules(istio, [{ route: [{ destination: { host: "web" }, weight: 75 }, { destination: { host: "legacy" }, weight: 25 }, { destination: { host: "off" } }] }], at(20)),
    );
    expect(split[0]?.route).toEqual([
      { destination: { host: "web" }, weight: 240 },
      { destination: { host: "web-canary" }, weight: 60 },
      { destination: { host: "legacy" }, weight: 100 },
      { destination: { host: "off" } },
    ]);
    expect(weightIn(istio, split)).toBe(20);
  });
});

describe("canaryWeightOf and rulesOf", () => {
  it("reads 0 from rules without the canary, and the highest share when rules disagree", () => {
    expect(canaryWeightOf(gateway, [{ backendRefs: [{ name: "web", port: 80 }] }], names)).toEqual({ ok: true, weight: 0 });
    const drifted: RouteRule[] = [
      { backendRefs: [{ name: "web", port: 80, weight: 90 }, { name: "web-canary", port: 80, weight: 10 }] },
      { backendRefs: [{ name: "web", port: 80, weight: 75 }, { name: "web-canary", port: 80, weight: 25 }] },
    ];
    expect(canaryWeightOf(gateway, drifted, names)).toEqual({ ok: true, weight: 25 });
    expect(canaryWeightOf(gateway, [{ backendRefs: [{ name: "docs", port: 80 }] }], names)).toMatchObject({ ok: false, problem: { code: "no-service-backend" } });
  });

  it("finds the rules under spec.rules or spec.http", () => {
    expect(rulesOf(gateway, { spec: { rules: [{ backendRefs: [] }] } })).toEqual([{ backendRefs: [] }]);
    expect(rulesOf(istio, { spec: { hosts: ["web"], http: [] } })).toEqual([]);
    expect(rulesOf(istio, { spec: { rules: [] } })).toBeUndefined();
  });
});
