// `slipway plan`: the pull-request plan for local manifests. Exit codes follow `kubectl diff`:
// 0 nothing would change, 1 something would change, 2 the plan failed or found errors.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { environmentMatcher } from "../config/source.js";
import { configPath, parseRepoConfig } from "../config/load.js";
import { defineEnvironment, type EnvironmentConfig } from "../config/schema.js";
import { concludePlan, planHasChanges } from "../plan/summary.js";
import type { EnvironmentPlan } from "../plan/types.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { planEnvironment, type PlanTarget } from "../planning/plan-environment.js";
import { renderPlanComment } from "../render/comment.js";
import { renderPlanText } from "../render/text.js";
import { gitRoot, readGitManifests, readLocalManifests, UsageError } from "./local-files.js";
import { smallInputParser } from "./small-input-parser.js";

export interface PlanCommandOptions {
  paths: string[];
  context?: string;
  namespace?: string;
  base?: string;
  offline: boolean;
  output: "markdown" | "text" | "json";
  fieldManager: string;
  configHashKey: string;
  color: boolean;
  cwd: string;
  /** Where discovery is cached between runs, per API server (default: not cached). */
  discoveryCacheDir?: string;
}

export interface CommandResult {
  exitCode: number;
  output: string;
}

export async function runPlanCommand(options: PlanCommandOptions): Promise<CommandResult> {
  // The Kubernetes client (its library alone takes about half a second to import) loads while
  // the files are read and parsed; an offline plan never loads it.
  const kube = options.offline ? undefined : loadKube();
  kube?.catch(() => undefined);
  const root = (await gitRoot(options.cwd)) ?? options.cwd;
  const paths = options.paths.length > 0 ? options.paths.map((path) => resolve(options.cwd, path)) : [options.cwd];
  const head = await readLocalManifests(paths, root);
  if (head.length === 0) throw new UsageError(`no manifests (*.yaml, *.yml, *.json) under ${options.paths.join(", ") || "."}`);
  const base = options.base ? await readGitManifests({ ref: options.base, paths, root }) : [];
  const environments = selectEnvironments({ root, head, base, options });
  const plans: EnvironmentPlan[] = [];
  const parser = smallInputParser();
  for (const { environment, headFiles, baseFiles } of environments) {
    const target = kube ? await clusterTarget(await kube, environment, options) : ({ mode: "offline" } as const);
    try {
      plans.push(await planEnvironment({ environment, head: headFiles, base: baseFiles, target, fieldManager: options.fieldManager, configHashKey: options.configHashKey, parser }));
    } finally {
      if (target.mode === "cluster") target.store.client.close();
    }
  }
  return { exitCode: exitCodeOf(plans), output: render(plans, options) };
}

export function exitCodeOf(plans: EnvironmentPlan[]): number {
  if (plans.some((plan) => concludePlan(plan) === "failure")) return 2;
  return plans.some(planHasChanges) ? 1 : 0;
}

function render(plans: EnvironmentPlan[], options: PlanCommandOptions): string {
  switch (options.output) {
    case "json":
      return `${JSON.stringify({ plans }, null, 2)}\n`;
    case "markdown":
      return renderPlanComment({ plans, headSha: "local", marker: "<!-- slipway:plan -->" });
    case "text":
      return renderPlanText(plans, { color: options.color });
  }
}

type Kube = Awaited<ReturnType<typeof loadKube>>;

async function loadKube() {
  const [{ KubeClient }, { Discovery }, { ObjectStore }, { diskDiscoveryCache }] = await Promise.all([
    import("../kube/client.js"),
    import("../kube/discovery.js"),
    import("../kube/objects.js"),
    import("../kube/discovery-cache.js"),
  ]);
  return { KubeClient, Discovery, ObjectStore, diskDiscoveryCache };
}

async function clusterTarget(kube: Kube, environment: EnvironmentConfig, options: PlanCommandOptions): Promise<PlanTarget> {
  const client = await kube.KubeClient.fromKubeConfig({ context: options.context ?? environment.context }).catch((error: unknown) => {
    throw new UsageError(`cannot load the kubeconfig: ${error instanceof Error ? error.message : String(error)} (use --offline to plan without a cluster)`);
  });
  const dir = options.discoveryCacheDir;
  const discovery = new kube.Discovery(client, dir ? { cache: kube.diskDiscoveryCache({ server: client.server, dir }) } : {});
  return { mode: "cluster", store: new kube.ObjectStore(client, discovery), context: client.contextName };
}

/**
 * With a .github/slipway.yml at the repository root and no --namespace, each of its environments
 * plans the files its globs match; otherwise one local environment plans them all.
 */
function selectEnvironments(params: { root: string; head: ManifestFile[]; base: ManifestFile[]; options: PlanCommandOptions }) {
  const { root, head, base, options } = params;
  const config = readConfig(root);
  if (!config || options.namespace) {
    const environment = defineEnvironment({ name: "local", paths: ["**"], namespace: options.namespace ?? "default", clusterScoped: true });
    return [{ environment, headFiles: head, baseFiles: base }];
  }
  const selected = config.environments.map((environment) => {
    const matches = environmentMatcher(environment);
    return { environment, headFiles: head.filter((file) => matches(file.path)), baseFiles: base.filter((file) => matches(file.path)) };
  });
  return selected.filter((entry) => entry.headFiles.length > 0 || entry.baseFiles.length > 0);
}

function readConfig(root: string) {
  const path = join(root, configPath);
  if (!existsSync(path)) return undefined;
  const result = parseRepoConfig(readFileSync(path, "utf8"));
  if (result.ok) return result.config;
  const problems = result.findings.map((finding) => `  ${finding.position?.file}:${finding.position?.line}: ${finding.message}`);
  throw new UsageError(`${configPath} is invalid:\n${problems.join("\n")}`);
}
