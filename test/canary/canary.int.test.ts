// A canary end to end, against the real control plane (with its controllers, so Deployments roll
// out), the released Gateway API CRDs, a real Prometheus, and a router that splits real requests
// by the HTTPRoute's weights between two backends standing for the stable and the canary pods:
//   merge 1 applies the workload; merge 2 changes its image and its ConfigMap, and its apply
//   holds the stable Deployment, the ConfigMap and the route back and starts a canary; the
//   controller's ticks move traffic 20 % → 50 % while Prometheus says the canary is healthy,
//   promote it (an apply in which the stable Deployment takes the revision), and give the route
//   back to Git — or roll it back when the canary fails, the stable pods never touched.
import { expect } from "vitest";
import { revisionAnnotation } from "../../src/desired/canary.js";
import { promotedRevisions } from "../../src/desired/promoted-revisions.js";
import { describeWithCluster, itWithControllers, useCluster } from "../support/cluster.js";
import { imageOf, useCanarySuite, webManifests as manifests } from "./harness/canary-suite.js";

describeWithCluster("a canary, end to end", () => {
  const cluster = useCluster();
  const { running, drive } = useCanarySuite(cluster);

  itWithControllers(
    "moves traffic step by step while Prometheus says the canary is healthy, keeps the stable pods and config as they were, and promotes",
    async () => {
      const ctx = await cluster();
      const { environment, canary, apply, start, live, router, first } = await running(ctx, { canaryErrorRate: 0 });
      expect(first.canaries?.map((decision) => decision.kind)).toEqual(["none"]);

      // Merge 2: a new image and a config change. The stable side keeps what runs.
      const second = await apply(manifests("2", "debug"), "c2");
      expect(second.outcome).toBe("applied");
      const [decision] = second.canaries ?? [];
      expect(decision?.kind).toBe("start");
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      const started = await start(second, 7);
      expect(started.map((canaryStarted) => canaryStarted.state.phase)).toEqual(["starting"]);
      const copyName = `web-config-canary-${decision!.revision.slice(0, 8)}`;
      expect((await live("ConfigMap", copyName))?.data).toEqual({ level: "debug" });
      const canaryDeployment = await live("Deployment", "web-canary");
      expect(imageOf(canaryDeployment)).toBe("registry.example.com/web:2");
      expect(canaryDeployment?.spec).toMatchObject({ selector: { matchLabels: { app: "web-canary" } } });

      let promotions = 0;
      const { state, seen } = await drive({
        ctx,
        environment,
        router,
        promote: async () => {
          promotions += 1;
          const promotion = await apply(manifests("2", "debug"), "c2");
          expect(promotion.canaries?.map((made) => made.kind)).toEqual(["promote"]);
        },
      });

      expect(state.phase, state.message).toBe("succeeded");
      expect(promotions).toBe(1);
      // Traffic went to the canary at 20 % and at 50 %, and the stable image did not change until promotion.
      const weights = [...new Set(seen.filter((entry) => entry.phase === "progressing").map((entry) => entry.weight))];
      expect(weights).toEqual([20, 50]);
      expect(seen.filter((entry) => entry.phase === "progressing").every((entry) => entry.stableImage === "registry.example.com/web:1")).toBe(true);
      expect(seen.some((entry) => entry.routed === 50)).toBe(true);
      expect(state.checks.filter((check) => check.verdict === "pass").length).toBeGreaterThanOrEqual(2);
      expect(canary.answered()["200"]).toBeGreaterThan(20);

      // Promoted: the stable Deployment runs the revision and reads the new config; the canary is at zero.
      const promoted = await live("Deployment", "web");
      expect(imageOf(promoted)).toBe("registry.example.com/web:2");
      expect(promoted?.metadata.annotations?.[revisionAnnotation]).toBe(decision?.revision);
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "debug" });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect(await live("ConfigMap", copyName)).toBeUndefined();
      await router.waitForWeights({ web: 1 });

      // The route is Git's again: the next apply of Git's route, without force, succeeds.
      const after = await apply(manifests("2", "debug"), "c3");
      expect(after.outcome, after.message).toBe("applied");
      expect(after.canaries?.map((made) => made.kind)).toEqual(["none"]);

      // A revert to merge 1's revision, which ran with all traffic before: promoted at once, no steps, no checks.
      const promotedList = promotedRevisions(await live("Deployment", "web"));
      expect(promotedList.map((entry) => entry.revision)).toEqual([decision!.revision, first.canaries![0]!.revision]);
      const revert = await apply(manifests("1", "info"), "c4");
      expect(revert.outcome, revert.message).toBe("applied");
      const [reverted] = revert.canaries ?? [];
      expect(reverted).toMatchObject({ kind: "revert", revision: first.canaries![0]!.revision, promotedAt: promotedList[1]!.at });
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });
      const revertStarted = await start(revert, 8);
      expect(revertStarted.map((made) => [made.state.phase, made.state.revert])).toEqual([["promoting", { promotedAt: promotedList[1]!.at }]]);
      let revertPromotions = 0;
      const reverting = await drive({
        ctx,
        environment,
        router,
        promote: () => {
          revertPromotions += 1;
          return Promise.resolve();
        },
      });
      expect(reverting.state.phase, reverting.state.message).toBe("succeeded");
      expect(revertPromotions).toBe(0);
      expect(reverting.state.checks).toEqual([]);
      expect(reverting.seen.every((entry) => entry.weight === 0 && entry.stableImage === "registry.example.com/web:1")).toBe(true);
      expect(promotedRevisions(await live("Deployment", "web")).map((entry) => entry.revision)).toEqual([first.canaries![0]!.revision, decision!.revision]);
      await router.waitForWeights({ web: 1 });
    },
    240_000,
  );

  itWithControllers(
    "rolls a failing canary back: all traffic to the stable pods, which never changed, and the revision is held",
    async () => {
      const ctx = await cluster();
      const { environment, apply, start, live, router } = await running(ctx, { canaryErrorRate: 0.5 });
      const second = await apply(manifests("2", "debug"), "c2");
      await start(second);
      let promotions = 0;
      const { state, seen } = await drive({ ctx, environment, router, promote: () => {
        promotions += 1;
        return Promise.resolve();
      },
    });

      expect(state.phase, state.message).toBe("failed");
      expect(promotions).toBe(0);
      expect(state.message).toMatch(/^Rolled back: success-rate \d+(\.\d+)? % < 95 %/);
      expect(state.failedChecks).toBe(2);
      expect(seen.every((entry) => entry.stableImage === "registry.example.com/web:1")).toBe(true);
      await router.waitForWeights({ web: 1 });
      expect((await live("Deployment", "web-canary"))?.spec).toMatchObject({ replicas: 0 });
      expect((await live("ConfigMap", "web-config"))?.data).toEqual({ level: "info" });

      // The same commit applied again (a reconcile, a re-run) does not start it over.
      const again = await apply(manifests("2", "debug"), "c2");
      expect(again.outcome, again.message).toBe("applied");
      expect(again.canaries?.map((decision) => decision.kind)).toEqual(["held"]);
      expect(imageOf(await live("Deployment", "web"))).toBe("registry.example.com/web:1");
    },
    240_000,
  );
});
