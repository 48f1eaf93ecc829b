// `slipway plan`: the pull-request plan for local manifests. Exit codes follow `kubectl diff`:
// 0 nothing would change, 1 something would change, 2 the plan failed or found errors.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { environmentMatcher, renderedSourceOf } from "../config/source.js";
import { environmentFiles, renderedChange, renderSettingsFromEnvironment, sourceReadsAny, type RenderedChange } from "../planning/environment-files.js";
import { configPath, parseRepoConfig } from "../config/load.js";
import { defineEnvironment, type EnvironmentConfig, type RepoConfig } from "../config/schema.js";
import { concludePlan, planHasChanges } from "../plan/summary.js";
import type { EnvironmentPlan } from "../plan/types.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { planEnvironment, unrenderedPlan, type PlanTarget } from "../planning/plan-environment.js";
import { renderPlanComment } from "../render/comment.js";
import { renderPlanText } from "../render/text.js";
import { gitRoot, readGitFiles, readGitManifests, readLocalManifests, readWorkingTree, UsageError } from "./local-files.js";
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
  const config = options.namespace ? undefined : readConfig(root);
  const renderedEnvironments = await selectRendered({ root, paths, config, options });
  const head = await readLocalManifests(paths, root);
  if (head.length === 0 && renderedEnvironments.length === 0) throw new UsageError(`no manifests (*.yaml, *.yml, *.json) under ${options.paths.join(", ") || "."}`);
  const base = options.base ? await readGitManifests({ ref: options.base, paths, root }) : [];
  const environments = [...selectEnvironments({ head, base, config, options }), ...renderedEnvironments];
  const plans: EnvironmentPlan[] = [];
  const parser = smallInputParser();
  for (const selected of environments) {
    const { environment } = selected;
    const target = kube ? await clusterTarget(await kube, environment, options) : ({ mode: "offline" } as const);
    try {
      const files = "render" in selected ? await renderedFiles({ root, environment, options }) : { kind: "files" as const, head: selected.headFiles, base: selected.baseFiles };
      plans.push(
        files.kind === "unrendered"
          ? unrenderedPlan({ environment, target, findings: files.findings })
          : await planEnvironment({ environment, ...files, target, fieldManager: options.fieldManager, configHashKey: options.configHashKey, parser }),
      );
    } finally {
      if (target.mode === "cluster") target.store.client.close();
    }
  }
  return { exitCode: exitCodeOf(plans), output: render(plans, options) };
}

/**
 * The environments of .github/slipway.yml with a kustomize or helm source that the given paths
 * concern: all of them without paths; else those whose source reads a file under one of them.
 */
async function selectRendered(params: { root: string; paths: string[]; config: RepoConfig | undefined; options: PlanCommandOptions }) {
  const rendered = (params.config?.environments ?? []).filter((environment) => renderedSourceOf(environment));
  if (rendered.length === 0) return [];
  const given = params.paths.map((path) => relative(params.root, path) || ".");
  const selected: Array<{ environment: EnvironmentConfig; render: true }> = [];
  for (const environment of rendered) {
    const files = await readWorkingTree(params.root, environmentMatcher(environment));
    const under = files.map((file) => file.path).filter((path) => given.some((dir) => dir === "." || path === dir || path.startsWith(`${dir}/`)));
    if (params.options.paths.length === 0 || (await sourceReadsAny({ environment, files, paths: under }))) selected.push({ environment, render: true });
  }
  return selected;
}

/** A rendered source's files to plan: all of them in the working tree, or with --base those whose objects changed since. */
async function renderedFiles(params: { root: string; environment: EnvironmentConfig; options: PlanCommandOptions }): Promise<RenderedChange | { kind: "files"; head: ManifestFile[]; base: ManifestFile[] }> {
  const { root, environment, options } = params;
  const wanted = environmentMatcher(environment);
  const render = renderSettingsFromEnvironment();
  const atHead = await environmentFiles({ environment, files: await readWorkingTree(root, wanted), render });
  if (!atHead.ok) return { kind: "unrendered", findings: atHead.findings };
  if (!options.base) return { kind: "files", head: atHead.files, base: [] };
  return renderedChange(atHead, await environmentFiles({ environment, files: await readGitFiles({ ref: options.base, root, wanted }), render }));
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
function selectEnvironments(params: { head: ManifestFile[]; base: ManifestFile[]; config: RepoConfig | undefined; options: PlanCommandOptions }) {
  const { head, base, config, options } = params;
  if (!config) {
    if (head.length === 0) return [];
    const environment = defineEnvironment({ name: "local", paths: ["**"], namespace: options.namespace ?? "default", clusterScoped: true });
    return [{ environment, headFiles: head, baseFiles: base }];
  }
  const selected = config.environments.filter((environment) => !renderedSourceOf(environment)).map((environment) => {
    const matches = environmentMatcher(environment);
    return { environment, headFiles: head.filter((file) => matches(file.path)), baseFiles: base.filter((file) => matches(file.path)) };
  });
  return selected.filter((entry) => entry.headFiles.length > 0 || entry.baseFiles.length > 0);
}

export function readConfig(root: string): RepoConfig | undefined {
  const path = join(root, configPath);
  if (!existsSync(path)) return undefined;
  const result = parseRepoConfig(readFileSync(path, "utf8"));
  if (result.ok) return result.config;
  const problems = result.findings.map((finding) => `  ${finding.position?.file}:${finding.position?.line}: ${finding.message}`);
  throw new UsageError(`${configPath} is invalid:\n${problems.join("\n")}`);
}
