// The real-world check (issue 11): the Kustomize base of Google's Online Boutique
// (fixtures/real-world/online-boutique, vendored unmodified), rendered with the pinned kustomize
// and planned by Slipway against the test cluster, and the same base given to
// `kubectl diff --server-side -k --field-manager=slipway`: both must name the same objects as
// changing.
//
// What makes the comparison mean something: the namespace starts with part of the boutique in it,
// as Slipway would have applied an older revision (six of its eleven files, one Deployment on an
// older image, one Service with a label the new revision drops), plus what other managers do to a
// running app (an autoscaler's scale of one Deployment, an annotation by hand on one Service, one
// ServiceAccount someone applied with kubectl before Slipway). Both sides then see the same live
// objects, and must agree on: new objects (create), fields Slipway owns that change or go away
// (change), fields of other managers the manifests do not set (unchanged), and allocated fields such
// as a LoadBalancer's clusterIP and nodePort (unchanged).
//
// The one difference is Slipway's stamp: every object it applies carries two labels
// (slipway.dev/environment, applyset.kubernetes.io/part-of; the boutique reads no ConfigMap or
// Secret, so no config-hash annotation). `kubectl diff -k` of the plain base, under Slipway's field
// manager, would take those labels off every object Slipway applied, and would not add them to the
// object Slipway adopts. So kubectl is asked twice:
// - through an overlay of the base that adds exactly those labels (what Slipway sends): the sets
//   must be equal;
// - on the plain base, as the issue says: the sets must differ by exactly the objects above, and
//   kubectl's diff of the objects Slipway leaves unchanged must touch only those two labels.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { readWorkingTree } from "../../src/cli/local-files.js";
import { defineEnvironment } from "../../src/config/schema.js";
import { ownerLabels } from "../../src/desired/desired-state.js";
import { parseFiles } from "../../src/manifests/manifest-file.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { environmentFiles } from "../../src/planning/environment-files.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import { applyAsSlipway } from "../support/apply-as-slipway.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";
import { describeWithRenderTools, renderTools } from "../support/render-tools.js";

const run = promisify(execFile);
const fixture = join(import.meta.dirname, "..", "..", "fixtures", "real-world", "online-boutique");
const kustomizeRoot = "kustomize/base";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The files of the older revision Slipway applied, and its two edits of them. */
const appliedFiles = new Set(["adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice", "frontend"].map((name) => `${kustomizeRoot}/${name}.yaml`));
function olderRevision(object: KubeObject): KubeObject {
  const name = `${object.kind}/${object.metadata.name}`;
  if (name === "Deployment/frontend") return JSON.parse(JSON.stringify(object).replace(/(frontend):v0\.10\.\d+/, "$1:v0.9.0")) as KubeObject;
  if (name === "Service/cartservice") return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, tier: "legacy" } } };
  return object;
}

describeWithRenderTools("the Kustomize base of a public microservices demo", () => {
  describeWithCluster("planned by Slipway and diffed by kubectl", () => {
    const cluster = useCluster();

    it("names the same objects as changing as kubectl diff --server-side -k, but for Slipway's two labels", async () => {
      const ctx = await cluster();
      const namespace = await ctx.namespace("boutique");
      const root = mkdtempSync(join(tmpdir(), "slipway-boutique-"));
      made.push(root);
      cpSync(fixture, root, { recursive: true });
      const environment = defineEnvironment({ name: "online-boutique", kustomize: kustomizeRoot, namespace });

      const renderStarted = performance.now();
      const rendered = await environmentFiles({ environment, files: await readWorkingTree(root, () => true), render: { tools: renderTools } });
      const renderMs = performance.now() - renderStarted;
      if (!rendered.ok) throw new Error(JSON.stringify(rendered.findings));
      const parsed = parseFiles(rendered.files);
      expect(parsed.findings).toEqual([]);
      expect(parsed.objects).toHaveLength(35);

      // The live state: an older revision of part of the boutique as Slipway applied it, and other managers' work.
      const older = parsed.objects.filter((source) => appliedFiles.has(source.position.file)).map((source) => olderRevision(source.object));
      await applyAsSlipway({ store: ctx.store, environment: environment.name, namespace, objects: older });
      await otherManagers(ctx, namespace);

      const planStarted = performance.now();
      const plan = await planEnvironment({ environment, head: rendered.files, base: [], target: { mode: "cluster", store: ctx.store, context: "test" }, fieldManager: "slipway" });
      const planMs = performance.now() - planStarted;
      expect(plan.error).toBeUndefined();
      const actions = new Map(plan.objects.map((object) => [object.name, object.action]));
      const slipway = new Set(plan.objects.filter((object) => ["create", "change", "adopt"].includes(object.action)).map((object) => object.name));
      const unchanged = plan.objects.filter((object) => object.action === "unchanged").map((object) => object.name);

      // What the live state was built to produce, so equal sets below cannot both be empty or full.
      const ns = namespace;
      expect([...actions.values()].filter((action) => action === "create")).toHaveLength(35 - older.length - 1);
      expect(actions.get(`Deployment/${ns}/frontend`)).toBe("change");
      expect(actions.get(`Service/${ns}/cartservice`)).toBe("change");
      expect(actions.get(`ServiceAccount/${ns}/paymentservice`)).toBe("adopt");
      expect(unchanged.sort()).toEqual(older.map((object) => `${object.kind}/${ns}/${object.metadata.name}`).filter((name) => !/^(Deployment\/.*\/frontend|Service\/.*\/cartservice)$/.test(name)).sort());
      expect(unchanged).toEqual(expect.arrayContaining([`Deployment/${ns}/adservice`, `Service/${ns}/emailservice`, `Service/${ns}/frontend-external`]));

      // kubectl, given what Slipway sends: the base plus Slipway's labels.
      const stamped = join(root, "stamped");
      mkdirSync(stamped);
      writeFileSync(join(stamped, "kustomization.yaml"), stringify({ resources: [`../${kustomizeRoot}`], labels: [{ pairs: ownerLabels(environment) }] }));
      const withStamp = await kubectlDiff(ctx, namespace, stamped, join(root, ".kube-cache"));
      expect(withStamp.changed).toEqual(sorted(slipway));

      // kubectl on the plain base: it also takes Slipway's labels off what Slipway applied, and finds nothing to do to the adopted object.
      const plain = await kubectlDiff(ctx, namespace, join(root, kustomizeRoot), join(root, ".kube-cache"));
      expect(plain.changed).toEqual(sorted([...slipway, ...unchanged].filter((name) => actions.get(name) !== "adopt")));
      const labelLines = Object.entries(ownerLabels(environment)).map(([key, value]) => `-    ${key}: ${value}`);
      for (const name of unchanged) {
        // A ServiceAccount of the boutique has no labels of its own: its `labels:` goes with them.
        const lines = changedLines(plain.diffs.get(name) ?? "").filter((line) => line !== "-  labels:");
        expect(lines, name).toEqual(labelLines.sort());
      }

      process.stderr.write(
        `[real-world] online-boutique: ${parsed.objects.length} objects; render ${Math.round(renderMs)} ms (kustomize ${rendered.rendered?.durationMs} ms), ` +
          `plan ${Math.round(planMs)} ms, kubectl diff ${Math.round(withStamp.ms)} ms; ${slipway.size} changing, ${unchanged.length} unchanged\n`,
      );
    });
  });
});

/** An autoscaler's scale, a hand-made annotation, and a ServiceAccount applied with kubectl before Slipway was used. */
async function otherManagers(ctx: ClusterContext, namespace: string): Promise<void> {
  await ctx.client.request({
    method: "PATCH",
    path: `/apis/apps/v1/namespaces/${namespace}/deployments/adservice/scale`,
    query: { fieldManager: "horizontal-pod-autoscaler" },
    contentType: "application/merge-patch+json",
    body: { spec: { replicas: 3 } },
  });
  await ctx.client.request({
    method: "PATCH",
    path: `/api/v1/namespaces/${namespace}/services/emailservice`,
    query: { fieldManager: "kubectl-annotate" },
    contentType: "application/strategic-merge-patch+json",
    body: { metadata: { annotations: { "owner.example.com/team": "mail" } } },
  });
  await ctx.store.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "paymentservice", namespace } }, { fieldManager: "kubectl" });
}

/**
 * `kubectl diff --server-side -k`: the objects it would change, by Slipway's name for them, read
 * from the `diff -u -N /tmp/LIVE-…/apps.v1.Deployment.ns.name /tmp/MERGED-…/…` header of each.
 * Exit status 1 means differences were found; above 1, kubectl failed.
 */
async function kubectlDiff(ctx: ClusterContext, namespace: string, dir: string, cacheDir: string): Promise<{ changed: string[]; diffs: Map<string, string>; ms: number }> {
  const started = performance.now();
  const args = ["--kubeconfig", ctx.kubeconfigPath, "--cache-dir", cacheDir, "diff", "--server-side", "--field-manager=slipway", "-n", namespace, "-k", dir];
  const output = await run(ctx.kubectl, args, { env: { PATH: process.env.PATH ?? "", KUBECTL_EXTERNAL_DIFF: "diff -u -N" }, maxBuffer: 64 * 1024 * 1024 }).then(
    (result) => result.stdout,
    (error: { code?: number; stdout?: string; stderr?: string }) => {
      if (error.code !== 1) throw new Error(`kubectl diff failed (${error.code}): ${error.stderr}`);
      return error.stdout ?? "";
    },
  );
  const ms = performance.now() - started;
  const diffs = new Map<string, string>();
  for (const section of output.split(/^(?=diff -u -N )/m).filter((text) => text.startsWith("diff -u -N "))) {
    const file = /^diff -u -N \S+\/(\S+) /.exec(section)?.[1] ?? "";
    diffs.set(nameOfDiffFile(file), section);
  }
  return { changed: sorted(diffs.keys()), diffs, ms };
}

/** `apps.v1.Deployment.ns.name` or `v1.Service.ns.name` → `Deployment/ns/name` (the boutique's names have no dots). */
function nameOfDiffFile(file: string): string {
  const parts = file.split(".");
  const [kind, namespace, name] = parts.slice(-3);
  return `${kind}/${namespace}/${name}`;
}

/** The lines a unified diff adds or removes, without its file headers. */
function changedLines(diff: string): string[] {
  return diff
    .split("\n")
    .filter((line) => /^[-+]/.test(line) && !/^(---|\+\+\+) /.test(line))
    .sort();
}

function sorted(names: Iterable<string>): string[] {
  return [...names].sort();
}
