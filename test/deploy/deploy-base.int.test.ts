// deploy/ against the test cluster (issue 11: "a test renders it, dry-runs it against the test
// cluster and plans it with Slipway itself"). deploy/base and deploy/examples/tenant are rendered by
// the pinned kustomize through Slipway's own rendering, planned and applied by Slipway, dry-run by
// the API server (strict validation, and Pod Security `restricted`, which the base's Namespace
// enforces). Then the identity the base gives Slipway, a token of ServiceAccount slipway/slipway,
// is shown to be enough and no more: it may act as the tenant the policy names, which may run a
// whole Slipway apply into example-apps (inventory, Lease, objects, a prune), and as a tenant bound
// to the bookkeeping ClusterRole alone, which may run one too; it may do nothing as itself, and may
// not act as system:masters, as a ServiceAccount of another namespace or as another user.
//
// The base names its Namespaces (slipway, slipway-tenants, example-apps) and cluster-wide RBAC, so
// this file uses those names on the shared cluster and deletes them afterwards.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { applyEnvironment } from "../../src/apply/apply-environment.js";
import { readWorkingTree } from "../../src/cli/local-files.js";
import { parsePolicy } from "../../src/config/policy.js";
import { defineEnvironment, type EnvironmentConfig } from "../../src/config/schema.js";
import { KubeClient, type Impersonation } from "../../src/kube/client.js";
import { KubeApiError } from "../../src/kube/errors.js";
import { KubeConfig, loadKubeConfig } from "../../src/kube/kubeconfig.js";
import { Discovery } from "../../src/kube/discovery.js";
import { ObjectStore } from "../../src/kube/objects.js";
import type { ManifestFile } from "../../src/manifests/manifest-file.js";
import { parseFiles } from "../../src/manifests/manifest-file.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { environmentFiles } from "../../src/planning/environment-files.js";
import { planEnvironment } from "../../src/planning/plan-environment.js";
import { describeWithCluster, useCluster, type ClusterContext } from "../support/cluster.js";
import { describeWithRenderTools, renderTools } from "../support/render-tools.js";

const run = promisify(execFile);
const repository = join(import.meta.dirname, "..", "..");
const tenant: Impersonation = { user: "system:serviceaccount:slipway-tenants:example-apps", groups: ["system:serviceaccounts", "system:serviceaccounts:slipway-tenants"] };

const clients: KubeClient[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const client of clients.splice(0)) client.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeWithRenderTools("deploy/: Slipway's own installation", () => {
  describeWithCluster("on the test cluster", () => {
    const cluster = useCluster();
    afterAll(async () => {
      const { store } = await cluster();
      const cleanup = [
        ...["slipway", "slipway-tenants", "example-apps"].map((name) => ({ apiVersion: "v1", kind: "Namespace", name })),
        ...["slipway-impersonate-tenant-groups", "slipway-tenant-bookkeeping"].map((name) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name })),
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: "slipway-impersonate-tenant-groups" },
      ];
      await Promise.all(cleanup.map((ref) => store.delete(ref).catch(() => undefined)));
    });

    it("renders, plans, applies and dry-runs the base and the example tenant, and its identity can act as the tenant and nothing else", async () => {
      const ctx = await cluster();
      const root = mkdtempSync(join(tmpdir(), "slipway-deploy-"));
      dirs.push(root);
      cpSync(join(repository, "deploy"), join(root, "deploy"), { recursive: true });
      const inventory = await ctx.namespace("deploy-inventory");
      const base = defineEnvironment({ name: "slipway", kustomize: "deploy/base", namespace: "slipway", clusterScoped: true, inventoryNamespace: inventory, readinessTimeoutSeconds: 60 });
      const example = defineEnvironment({ name: "example-tenant", kustomize: "deploy/examples/tenant", namespace: "example-apps", clusterScoped: true, inventoryNamespace: inventory });

      // 1. Rendered by the pinned kustomize, as the server renders a repository.
      const files = await readWorkingTree(root, () => true);
      const [baseFiles, tenantFiles] = await Promise.all([render(base, files), render(example, files)]);
      const baseObjects = objectsOf(baseFiles);
      const tenantObjects = objectsOf(tenantFiles);
      const policyMap = baseObjects.find((object) => object.kind === "ConfigMap")!;
      expect(baseObjects.map(nameOf).sort()).toEqual(
        [
          "ClusterRole/slipway-impersonate-tenant-groups",
          "ClusterRole/slipway-tenant-bookkeeping",
          "ClusterRoleBinding/slipway-impersonate-tenant-groups",
          `ConfigMap/slipway/${policyMap.metadata.name}`,
          "Deployment/slipway/slipway",
          "Namespace/slipway",
          "Namespace/slipway-tenants",
          "NetworkPolicy/slipway/slipway",
          "Role/slipway-tenants/slipway-impersonate-tenants",
          "RoleBinding/slipway-tenants/slipway-impersonate-tenants",
          "Service/slipway/slipway",
          "ServiceAccount/slipway/slipway",
        ].sort(),
      );
      expect(policyMap.metadata.name).toMatch(/^server-policy-[a-z0-9]{10}$/);

      // 2. The policy the ConfigMap carries is the file, and Slipway's policy loader accepts it.
      const policyText = String((policyMap.data as Record<string, string>)["policy.yaml"]);
      expect(policyText).toBe(readFileSync(join(repository, "deploy/base/policy.yaml"), "utf8"));
      const policy = parsePolicy(policyText, "deploy/base/policy.yaml");
      if (!policy.ok) throw new Error(JSON.stringify(policy.findings));
      expect(policy.policy.rules[0]).toMatchObject({ contexts: ["inClusterContext"], namespaces: ["example-apps"], impersonate: tenant });

      // 3. Planned by Slipway before anything exists: nothing refused, objects in the new Namespaces unverified.
      const firstPlan = await planEnvironment({ environment: base, head: baseFiles, base: [], target: { mode: "cluster", store: ctx.store, context: "test" }, fieldManager: "slipway" });
      expect(firstPlan.error).toBeUndefined();
      expect(firstPlan.findings).toEqual([]);
      expect(actionsOf(firstPlan.objects)).toEqual({ create: 5, unverified: 7 });

      // 4. Applied by Slipway, the base then the tenant: the Deployment's Pod is admitted under `restricted` and becomes ready.
      for (const [environment, rendered] of [[base, baseFiles], [example, tenantFiles]] as const) {
        const report = await applyEnvironment({ environment, files: rendered, commit: "deploy", store: ctx.store, context: "test", fieldManager: "slipway", pollMs: 200 });
        expect(report.message).toBeUndefined();
        expect(report.outcome).toBe("applied");
      }

      // 5. Planned again, every object dry-run by the API server: nothing left to do.
      const secondPlan = await planEnvironment({ environment: base, head: baseFiles, base: [], target: { mode: "cluster", store: ctx.store, context: "test" }, fieldManager: "slipway" });
      expect(secondPlan.findings).toEqual([]);
      expect(actionsOf(secondPlan.objects)).toEqual({ unchanged: 12 });

      // 6. Dry-run by kubectl (strict field validation) as an operator's `kubectl apply -k` would send them: no error, no warning.
      const rendered = join(root, "rendered.yaml");
      writeFileSync(rendered, [...baseObjects, ...tenantObjects].map((object) => stringify(object)).join("---\n"));
      const kubectl = await run(ctx.kubectl, ["--kubeconfig", ctx.kubeconfigPath, "--cache-dir", join(root, ".kube-cache"), "apply", "--server-side", "--dry-run=server", "--field-manager=operator", "-f", rendered]);
      expect(kubectl.stderr).toBe("");

      // 7. Pod Security `restricted` on the Deployment as created (warnings) and on its Pod (enforced).
      const deployment = baseObjects.find((object) => object.kind === "Deployment")!;
      const created = await dryRunCreate(ctx, "/apis/apps/v1/namespaces/slipway/deployments", { ...deployment, metadata: { ...deployment.metadata, name: "slipway-dry-run" } });
      expect(created).toEqual({ statusCode: 201, warnings: [] });
      const template = (deployment.spec as { template: { metadata: KubeObject["metadata"]; spec: unknown } }).template;
      const pod = await dryRunCreate(ctx, "/api/v1/namespaces/slipway/pods", { apiVersion: "v1", kind: "Pod", metadata: { ...template.metadata, name: "slipway-dry-run" }, spec: template.spec });
      expect(pod).toEqual({ statusCode: 201, warnings: [] });

      // 8. Slipway's own identity, as the Pod would have it.
      const slipway = await serviceAccountKubeConfig(ctx, "slipway", "slipway");
      const asTenant = await clientFor(slipway, tenant);
      expect(await whoAmI(asTenant)).toEqual({ username: tenant.user, groups: [...tenant.groups, "system:authenticated"] });
      // As the tenant, a whole Slipway apply into example-apps: its inventory, its Lease, the objects, a prune.
      await applyTwice(new ObjectStore(asTenant, new Discovery(asTenant)), "example-apps", ctx.client);
      // The bookkeeping ClusterRole alone is enough for Slipway's own part (the example tenant also has `edit`, which covers it):
      // a tenant bound to nothing else applies ConfigMaps with their inventory and Lease.
      const bookkeeping = await ctx.namespace("bookkeeping");
      await ctx.store.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bookkeeper", namespace: "slipway-tenants" } }, { fieldManager: "test-setup" });
      await ctx.store.apply(
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "bookkeeper", namespace: bookkeeping },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "slipway-tenant-bookkeeping" },
          subjects: [{ kind: "ServiceAccount", name: "bookkeeper", namespace: "slipway-tenants" }],
        },
        { fieldManager: "test-setup" },
      );
      const asBookkeeper = await clientFor(slipway, { ...tenant, user: "system:serviceaccount:slipway-tenants:bookkeeper" });
      await applyTwice(new ObjectStore(asBookkeeper, new Discovery(asBookkeeper)), bookkeeping, ctx.client);

      // What it may not do: anything as itself, act as system:masters, or as a ServiceAccount of another namespace; nor the tenant outside its namespace.
      const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } };
      expect(await statusOf(await clientFor(slipway), "POST", "/api/v1/namespaces/example-apps/configmaps", cm)).toBe(403);
      expect(await statusOf(await clientFor(slipway), "GET", "/api/v1/namespaces/slipway/secrets")).toBe(403);
      expect(await statusOf(await clientFor(slipway, { user: tenant.user, groups: ["system:masters"] }), "GET", "/api/v1/namespaces")).toBe(403);
      expect(await statusOf(await clientFor(slipway, { user: "system:serviceaccount:kube-system:default", groups: [] }), "GET", "/api/v1/namespaces/kube-system/configmaps")).toBe(403);
      expect(await statusOf(await clientFor(slipway, { user: "system:serviceaccount:slipway:slipway", groups: [] }), "GET", "/api/v1/namespaces/slipway/configmaps")).toBe(403);
      expect(await statusOf(await clientFor(slipway, { user: "admin", groups: [] }), "GET", "/api/v1/namespaces")).toBe(403);
      expect(await statusOf(asTenant, "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm)).toBe(403);
      // And the refusals above are RBAC's: the same requests as the tenant it may act as succeed where granted.
      expect(await statusOf(asTenant, "POST", "/api/v1/namespaces/example-apps/configmaps?dryRun=All", cm)).toBe(201);
    });
  });
});

/** A Slipway apply of two ConfigMaps, then of one (the other pruned), into `namespace` with its inventory and Lease there. */
async function applyTwice(store: ObjectStore, namespace: string, admin: KubeClient): Promise<void> {
  const environment = defineEnvironment({ name: "example", paths: ["**"], namespace, readinessTimeoutSeconds: 60 });
  const configMap = (name: string) => ({ path: `${name}.yaml`, content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value\n` });
  const apply = (files: ManifestFile[], commit: string) => applyEnvironment({ environment, files, commit, store, context: "test", fieldManager: "slipway", pollMs: 200 });
  const first = await apply([configMap("a"), configMap("b")], "c1");
  expect(first.message).toBeUndefined();
  expect(first.objects.map((object) => `${object.name} ${object.action}`)).toEqual([`ConfigMap/${namespace}/a created`, `ConfigMap/${namespace}/b created`]);
  const second = await apply([configMap("a")], "c2");
  expect(second.message).toBeUndefined();
  expect(second.objects.map((object) => `${object.name} ${object.action}`).sort()).toEqual([`ConfigMap/${namespace}/a unchanged`, `ConfigMap/${namespace}/b pruned`]);
  expect(await store.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "slipway-inventory-example" })).toBeDefined();
  const leases = await admin.request<{ items: KubeObject[] }>({ method: "GET", path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases` });
  expect(leases.body.items).toHaveLength(1);
}

async function render(environment: EnvironmentConfig, files: ManifestFile[]): Promise<ManifestFile[]> {
  const rendered = await environmentFiles({ environment, files, render: { tools: renderTools } });
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.findings));
  process.stderr.write(`[deploy] ${environment.kustomize}: ${rendered.rendered?.objects} objects rendered in ${rendered.rendered?.durationMs} ms\n`);
  return rendered.files;
}

function objectsOf(files: ManifestFile[]): KubeObject[] {
  const parsed = parseFiles(files);
  expect(parsed.findings).toEqual([]);
  return parsed.objects.map((source) => source.object);
}

function nameOf(object: KubeObject): string {
  return [object.kind, object.metadata.namespace, object.metadata.name].filter(Boolean).join("/");
}

function actionsOf(objects: { action: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { action } of objects) counts[action] = (counts[action] ?? 0) + 1;
  return counts;
}

async function dryRunCreate(ctx: ClusterContext, path: string, body: KubeObject): Promise<{ statusCode: number; warnings: string[] }> {
  const response = await ctx.client.request({ method: "POST", path, query: { dryRun: "All", fieldValidation: "Strict" }, body });
  return { statusCode: response.statusCode, warnings: response.warnings };
}

/** A kubeconfig for the test cluster whose user is a token the API server issues for the ServiceAccount (TokenRequest). */
async function serviceAccountKubeConfig(ctx: ClusterContext, namespace: string, name: string): Promise<string> {
  const issued = await ctx.client.request<{ status: { token: string } }>({
    method: "POST",
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } },
  });
  const server = loadKubeConfig({ file: ctx.kubeconfigPath }).getCurrentCluster();
  return stringify({
    clusters: [{ name: "c", cluster: { server: server?.server, "certificate-authority-data": server?.caData } }],
    users: [{ name: "u", user: { token: issued.body.status.token } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });
}

async function clientFor(kubeConfigText: string, impersonate?: Impersonation): Promise<KubeClient> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeConfigText);
  const client = await KubeClient.fromKubeConfig({ kubeConfig, options: { retries: 0, ...(impersonate ? { impersonate } : {}) } });
  clients.push(client);
  return client;
}

async function whoAmI(client: KubeClient): Promise<{ username: string; groups?: string[] }> {
  const review = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
  const response = await client.request<{ status: { userInfo: { username: string; groups?: string[] } } }>({ method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: review });
  const { username, groups } = response.body.status.userInfo;
  return { username, ...(groups ? { groups } : {}) };
}

/** The HTTP status of a request, a refusal included (the client throws on 4xx). */
async function statusOf(client: KubeClient, method: "GET" | "POST", path: string, body?: unknown): Promise<number> {
  const [pathname, search] = path.split("?");
  const query = Object.fromEntries(new URLSearchParams(search ?? ""));
  try {
    return (await client.request({ method, path: pathname!, query, ...(body ? { body } : {}) })).statusCode;
  } catch (error) {
    if (error instanceof KubeApiError) return error.statusCode;
    throw error;
  }
}
