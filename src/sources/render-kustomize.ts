// `kustomize build` of a Kustomize root in the repository's files, after checkKustomization found
// nothing to refuse. The root is built through a wrapper kustomization of Slipway's (its only
// resource is the user's root, plus `buildMetadata: [originAnnotations]`), written beside the
// repository's files and removed after: the user's files are never edited, kustomize applies only
// the top kustomization's buildMetadata, and the root-only load restrictor still confines each of
// the user's kustomizations to its own directory. Plugins, exec functions and Helm stay off
// (no --enable-alpha-plugins, --enable-exec or --enable-helm).
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { checkKustomization } from "./check-kustomization.js";
import { sourceFinding } from "./findings.js";
import { kustomizeErrorFinding } from "./kustomize-error.js";
import { takeOrigin } from "./kustomize-origin.js";
import { runTool } from "./run-tool.js";
import { toolOutcomeFinding } from "./tool-outcome.js";
import { withToolEnvironment } from "./tool-environment.js";
import type { KustomizeSource, RenderedDocument, RenderLimits, RenderResult } from "./types.js";

export async function renderKustomize(params: {
  root: string;
  source: KustomizeSource;
  kustomize: string;
  limits: RenderLimits;
  signal?: AbortSignal;
}): Promise<RenderResult> {
  const { root, source, limits } = params;
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const check = await checkKustomization({ root, path: source.path });
  if (check.findings.length > 0) return { ok: false, findings: check.findings, durationMs: elapsed(), ran: false };

  const wrapper = `.slipway-render-${randomBytes(6).toString("hex")}`;
  await mkdir(join(root, wrapper));
  try {
    const target = posix.relative(wrapper, posix.normalize(source.path)) || ".";
    await writeFile(join(root, wrapper, "kustomization.yaml"), `resources:\n  - ${JSON.stringify(target)}\nbuildMetadata: [originAnnotations]\n`);
    const outcome = await withToolEnvironment((env) =>
      runTool({
        command: params.kustomize,
        args: ["build", "--load-restrictor", "LoadRestrictionsRootOnly", wrapper],
        cwd: root,
        env,
        ...limits,
        ...(params.signal ? { signal: params.signal } : {}),
      }),
    );
    const at = { file: check.files.find((file) => posix.dirname(file) === posix.normalize(source.path)) ?? source.path, line: 1 };
    if (outcome.kind !== "exited") return { ok: false, findings: [toolOutcomeFinding({ outcome, tool: "kustomize", source: source.path, limits, at })], durationMs: elapsed(), ran: true };
    if (outcome.code !== 0) {
      const isFile = (path: string) => statSync(join(root, path), { throwIfNoEntry: false })?.isFile() ?? false;
      return { ok: false, findings: [kustomizeErrorFinding({ stderr: outcome.stderr, root, source: source.path, isFile })], durationMs: elapsed(), ran: true };
    }
    return withOrigins(outcome.stdout.toString("utf8"), wrapper, at, elapsed);
  } finally {
    await rm(join(root, wrapper), { recursive: true, force: true });
  }
}

function withOrigins(output: string, wrapper: string, at: { file: string; line: number }, elapsed: () => number): RenderResult {
  const documents: RenderedDocument[] = [];
  // kustomize separates documents with a `---` line and indents everything inside one.
  for (const text of output.split(/^---\n/m)) {
    if (text.trim() === "") continue;
    const read = takeOrigin(text, wrapper);
    if (!read.ok) {
      const message = `kustomize printed an object Slipway cannot place (${read.problem}); nothing was planned from this source.`;
      return { ok: false, findings: [sourceFinding("render-output-invalid", message, at)], durationMs: elapsed(), ran: true };
    }
    documents.push({ text: read.text, origin: read.origin });
  }
  return { ok: true, documents, durationMs: elapsed() };
}
