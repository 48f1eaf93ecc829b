// Whether a generator, transformer or validator configuration names a plugin: kustomize runs only
// its builtins (`apiVersion: builtin`) without --enable-alpha-plugins, and Slipway never passes that
// flag. A configuration that names an exec or Go plugin, or a KRM function (the
// `config.kubernetes.io/function` annotation: a container, an executable or Starlark), is refused
// with its line before kustomize runs, rather than left to kustomize's "only builtin plugins" error.
import { isMap, LineCounter, parseAllDocuments } from "yaml";
import { sourceFinding, type SourceFinding } from "./findings.js";

// See https://kubectl.docs.kubernetes.io/guides/extending_kustomize/ (the function annotation has
// an older spelling, config.k8s.io/function, which kustomize still reads).
const functionAnnotations = ["config.kubernetes.io/function", "config.k8s.io/function"];

/**
 * The plugins `text` configures. `file` and `firstLine` place it: a file of its own starts at line 1,
 * an inline configuration at the line of its entry in the kustomization.
 */
export function pluginFindings(params: { text: string; file: string; firstLine: number; field: string }): SourceFinding[] {
  const { text, file, firstLine, field } = params;
  const lineCounter = new LineCounter();
  const findings: SourceFinding[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter, version: "1.1" })) {
    if (!isMap(doc.contents)) continue;
    const line = firstLine - 1 + (doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : 1);
    const value = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : "";
    const kind = typeof value.kind === "string" ? value.kind : "(no kind)";
    const metadata = (value.metadata ?? {}) as { annotations?: Record<string, unknown> };
    const fn = functionAnnotations.find((name) => metadata.annotations?.[name] !== undefined);
    if (fn) {
      findings.push(
        sourceFinding(
          "kustomize-plugin",
          `${field}: ${kind} is a KRM function (annotation ${fn}), which would run a container or program. Slipway runs kustomize without plugins or functions; use kustomize's builtin generators and transformers, or commit the rendered objects.`,
          { file, line },
        ),
      );
    } else if (apiVersion !== "builtin") {
      findings.push(
        sourceFinding(
          "kustomize-plugin",
          `${field}: ${apiVersion || "(no apiVersion)"} ${kind} names an exec or Go plugin; Slipway runs kustomize with its builtin plugins only (apiVersion: builtin, e.g. PatchTransformer, LabelTransformer). Use a builtin, or commit the rendered objects.`,
          { file, line },
        ),
      );
    }
  }
  return findings;
}
