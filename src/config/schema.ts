// `.github/slipway.yml`: the one schema, parsed once into a fully defaulted type. The JSON
// schema for editors (schema/slipway.schema.json) is generated from it: `npm run schema`.
import * as z from "zod";
import { canarySchema } from "./canary-schema.js";

/**
 * An environment's name is the value of the label `slipway.dev/environment` on every object it
 * applies (at most 63 characters), and, lowercased, part of the names of its inventory ConfigMap
 * and its Lease (`slipway-inventory-<name>-lock`), which must be DNS subdomains: letters, digits
 * and '-', in parts joined by '.', each part starting and ending with a letter or digit.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
const environmentName = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?)*$/,
    "use letters, digits, '-' and '.', starting and ending with a letter or digit, no '-' next to a '.' (it names the environment's Lease and labels its objects)",
  );

/** The part of an environment's inventory and Lease names its name gives (desired/applyset.ts: inventoryName). */
const inventoryKey = (name: string) => name.toLowerCase();

/** `Kind` (any API group) or `group/Kind`, as in the server's policy. */
export const kindName = z.string().regex(/^(?:[a-z0-9.-]*\/)?[A-Z][A-Za-z0-9]*$/, "a kind such as `Namespace` or `rbac.authorization.k8s.io/ClusterRole`");

/** A file or directory in the repository, relative to its root: no `..`, no leading `/`. */
const repositoryPath = z
  .string()
  .min(1)
  .transform((path) => path.replace(/\/+$/, "") || ".")
  .refine((path) => !path.startsWith("/") && !path.includes("\\") && !path.split("/").includes(".."), "a path inside the repository, relative to its root, such as `deploy/overlays/production` (no `..`, no leading `/`)");

const helmSourceSchema = z
  .object({
    chart: repositoryPath.describe("The chart's directory (holding Chart.yaml); its dependencies must be vendored under its charts/ directory."),
    values: z.array(repositoryPath).default([]).describe("Values files in the repository, applied in order (`helm template -f`), e.g. [charts/web/values-production.yaml]."),
    releaseName: z
      .string()
      .max(53)
      .regex(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/, "a Helm release name: lowercase letters, digits and '-', at most 53 characters")
      .optional()
      .describe("The release name the templates see as .Release.Name (default: the environment's name, lowercased)."),
    namespace: z.string().min(1).optional().describe("The namespace the templates see as .Release.Namespace (default: the environment's namespace)."),
  })
  .strict();

export const environmentSchema = z
  .object({
    name: environmentName.describe("Shown in comments and check runs, e.g. `slipway/plan (production)`."),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Glob patterns of the plain manifests of this environment, e.g. ["deploy/production/**/*.yaml"]. Give one of paths, kustomize and helm.'),
    kustomize: repositoryPath
      .optional()
      .describe("A kustomization root (the directory holding kustomization.yaml, e.g. `overlays/production`), rendered with `kustomize build`. Give one of paths, kustomize and helm."),
    helm: helmSourceSchema.optional().describe("A Helm chart in the repository, rendered with `helm template`. Give one of paths, kustomize and helm."),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Glob patterns of files that are not manifests (with paths: under paths, such as Helm values), or that rendering does not need (with kustomize or helm, the repository's other files are given to the renderer: exclude large directories it never reads).",
      ),
    context: z
      .string()
      .min(1)
      .optional()
      .describe("kubeconfig context of the Slipway server for this environment (default: the current context)."),
    namespace: z
      .string()
      .min(1)
      .default("default")
      .describe("Namespace for namespaced objects that do not set metadata.namespace."),
    allowedNamespaces: z
      .array(z.string().min(1))
      .optional()
      .describe("Namespaces the manifests may use (default: any)."),
    clusterScoped: z
      .union([z.boolean(), z.array(kindName).min(1)])
      .default(false)
      .describe(
        "May pull requests change cluster-scoped kinds? true: every kind the server's policy grants this repository; a list (`Namespace`, `rbac.authorization.k8s.io/ClusterRole`): only those, each of which the policy must grant.",
      ),
    adopt: z
      .boolean()
      .default(false)
      .describe(
        "May an apply take over objects that exist and that Slipway did not apply (the server's policy must grant it)? Without it, such an object fails the plan and the apply: otherwise a change could take an object over now and prune it later.",
      ),
    conflicts: z
      .enum(["fail", "warn", "force"])
      .default("fail")
      .describe(
        "A field-ownership conflict fails the plan and that object's apply (fail), shows in the plan but fails the apply (warn), or is taken over on merge (force: the apply report lists the fields and their previous owners).",
      ),
    branch: z
      .string()
      .min(1)
      .optional()
      .describe("Branch whose pushes apply this environment (default: the repository's default branch)."),
    inventoryNamespace: z
      .string()
      .min(1)
      .optional()
      .describe("Namespace of the environment's inventory ConfigMap and apply Lease (default: `namespace`)."),
    prune: z
      .object({
        allow: z
          .array(z.enum(["Namespace", "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume"]))
          .default([])
          .describe("Kinds whose objects may be pruned; without them here, removing such an object from Git fails the apply."),
        maxFraction: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe("The largest share of the inventory one apply may prune; more fails the apply (raise it to allow)."),
      })
      .strict()
      .default({ allow: [], maxFraction: 0.5 })
      .describe("Guards on pruning objects that were removed from Git."),
    readinessTimeoutSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe("How long an apply waits for Deployments, StatefulSets and DaemonSets to become ready (0: do not wait)."),
    drift: z
      .enum(["off", "report", "correct"])
      .default("off")
      .describe(
        "On the server's reconcile timer, once the branch's head is applied: off (default); report: dry-run the commit against the cluster and post a check run `slipway/drift (<name>)` on it listing live objects that differ from Git in fields Slipway sets, each time that list changes; correct: the same, and re-apply the commit (an ordinary apply: fields another manager took over need `conflicts: force`).",
      ),
    canary: z
      .array(canarySchema)
      .default([])
      .describe("Workloads whose changes a merge rolls out as canaries, traffic moved step by step and checked in Prometheus."),
  })
  .strict()
  .superRefine((environment, ctx) => {
    const sources = (["paths", "kustomize", "helm"] as const).filter((key) => environment[key] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: sources.length === 0 ? [] : [sources[1] ?? sources[0]!],
        message: sources.length === 0 ? "give the environment's manifests: paths (plain files), kustomize (a kustomization root) or helm (a chart)" : `give one of paths, kustomize and helm, not ${sources.join(" and ")}`,
      });
    }
    const seen = new Set<string>();
    environment.canary.forEach((canary, index) => {
      if (seen.has(canary.workload)) ctx.addIssue({ code: "custom", path: ["canary", index, "workload"], message: `${canary.workload} has two canary entries` });
      seen.add(canary.workload);
    });
  });

export const repoConfigSchema = z
  .object({
    environments: z
      .array(environmentSchema)
      .min(1)
      .describe("Each environment: which manifests belong to it and which cluster they go to."),
    forks: z
      .enum(["validate", "plan", "ignore"])
      .default("validate")
      .describe(
        "What a pull request from a fork gets: validate (no cluster access), plan (a dry-run with the server's credentials), ignore.",
      ),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    config.environments.forEach((environment, index) => {
      const earlier = seen.get(inventoryKey(environment.name));
      if (earlier === environment.name) {
        ctx.addIssue({
          code: "custom",
          path: ["environments", index, "name"],
          message: `environment "${environment.name}" is defined twice; names must be unique`,
        });
      } else if (earlier !== undefined) {
        // Inventory and Lease names are lowercase: these two would share them, and prune each other's objects.
        ctx.addIssue({
          code: "custom",
          path: ["environments", index, "name"],
          message: `environments "${earlier}" and "${environment.name}" would share one inventory and one Lease (slipway-inventory-${inventoryKey(environment.name)}); names must differ in more than case`,
        });
      }
      seen.set(inventoryKey(environment.name), earlier ?? environment.name);
      if (environment.allowedNamespaces && !environment.allowedNamespaces.includes(environment.namespace)) {
        ctx.addIssue({
          code: "custom",
          path: ["environments", index, "namespace"],
          message: `namespace "${environment.namespace}" is not in allowedNamespaces`,
        });
      }
    });
  });

export type RepoConfig = z.infer<typeof repoConfigSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** An environment with every default filled, from the fields given (the CLI's local environment, tests). */
export function defineEnvironment(input: z.input<typeof environmentSchema>): EnvironmentConfig {
  return environmentSchema.parse(input);
}
