// `slipway render [ENVIRONMENT]`: what an apply of the working tree would send for one environment
// of .github/slipway.yml: its manifests (plain, or rendered by kustomize or helm), with the
// namespace, labels and config hashes Slipway stamps, each after a `# Source:` line naming the
// file and line a person edits. Secret values are replaced unless --show-secrets.
import { environmentMatcher } from "../config/source.js";
import type { EnvironmentConfig } from "../config/schema.js";
import { stampDesired } from "../desired/desired-state.js";
import { identityKey, isPlainObject, refOf, type KubeObject } from "../manifests/object.js";
import { parseFiles } from "../manifests/manifest-file.js";
import type { Finding } from "../manifests/types.js";
import { environmentFiles, renderSettingsFromEnvironment } from "../planning/environment-files.js";
import { validateSources } from "../planning/validate-sources.js";
import { formatPosition } from "../render/report.js";
import { stringify } from "yaml";
import { gitRoot, readWorkingTree, UsageError } from "./local-files.js";
import { readConfig, type CommandResult } from "./plan-command.js";

export interface RenderCommandOptions {
  environment?: string;
  showSecrets: boolean;
  configHashKey: string;
  cwd: string;
}

export interface RenderCommandResult extends CommandResult {
  errors: string;
}

export async function runRenderCommand(options: RenderCommandOptions): Promise<RenderCommandResult> {
  const root = (await gitRoot(options.cwd)) ?? options.cwd;
  const config = readConfig(root);
  if (!config) throw new UsageError("slipway render needs a .github/slipway.yml at the repository's root: it renders one of its environments");
  const environment = pickEnvironment(config.environments, options.environment);
  const files = await readWorkingTree(root, environmentMatcher(environment));
  const rendered = await environmentFiles({ environment, files, render: renderSettingsFromEnvironment() });
  if (!rendered.ok) return failed(rendered.findings);
  const parsed = validateSources({ parsed: parseFiles(rendered.files), environment });
  const errors = parsed.findings.filter((finding) => finding.severity === "error");
  if (errors.length > 0) return failed(parsed.findings);
  const desired = stampDesired({ objects: parsed.objects.map((source) => source.object), environment, configHashKey: options.configHashKey });
  const documents = parsed.objects.map((source) => {
    const body = desired.bodies.get(identityKey(refOf(source.object))) ?? source.object;
    return `# Source: ${formatPosition(source.position)}\n${stringify(options.showSecrets ? body : redactSecret(body), { lineWidth: 0 })}`;
  });
  const note = rendered.rendered ? `# ${environment.name}: ${rendered.rendered.objects} objects rendered by ${rendered.rendered.tool} in ${rendered.rendered.durationMs} ms\n` : "";
  return { exitCode: 0, output: `${note}${documents.join("---\n")}`, errors: describe(parsed.findings) };
}

function pickEnvironment(environments: EnvironmentConfig[], name: string | undefined): EnvironmentConfig {
  const names = environments.map((environment) => environment.name).join(", ");
  if (name === undefined) {
    if (environments.length === 1) return environments[0]!;
    throw new UsageError(`name the environment to render: ${names}`);
  }
  const found = environments.find((environment) => environment.name === name);
  if (!found) throw new UsageError(`no environment "${name}" in .github/slipway.yml; it has ${names}`);
  return found;
}

/** A Secret with every value replaced by its size: the command's output is often pasted somewhere. */
function redactSecret(object: KubeObject): KubeObject {
  if (object.kind !== "Secret" || object.apiVersion !== "v1") return object;
  const redact = (values: unknown) =>
    isPlainObject(values) ? Object.fromEntries(Object.entries(values).map(([key, value]) => [key, `(${typeof value === "string" ? value.length : 0} characters; --show-secrets prints it)`])) : values;
  return { ...object, ...(object.data !== undefined ? { data: redact(object.data) } : {}), ...(object.stringData !== undefined ? { stringData: redact(object.stringData) } : {}) };
}

function failed(findings: Finding[]): RenderCommandResult {
  return { exitCode: 2, output: "", errors: describe(findings) };
}

function describe(findings: Finding[]): string {
  return findings.map((finding) => `${finding.position ? `${formatPosition(finding.position)}: ` : ""}${finding.severity}: ${finding.message}\n`).join("");
}
