// Rendered documents as the manifest parser's objects, placed in the files a person edits rather
// than in the tool's output. An object kustomize read from a resource file is matched to its
// document there (same kind, and its name, which a prefix or suffix may have lengthened), and takes
// that document's lines for its fields, where the field is written in the file: a patched field
// takes its nearest written ancestor's. Anything else (a generated object, a Helm template's) is
// placed at line 1 of its file; a template's lines are not the output's.
import { withLineOf } from "../manifests/line-tree.js";
import { parseFilesWithin, type LoadedSources, type ParseFilesOptions } from "../manifests/manifest-file.js";
import { parseManifestFile } from "../manifests/parse.js";
import type { Finding, SourceObject } from "../manifests/types.js";
import type { RenderedDocument } from "./types.js";

export function parseRenderedDocuments(params: {
  documents: ReadonlyArray<RenderedDocument>;
  /** A repository file's content by path, to place objects of Kustomize resources on their lines. */
  readFile?: (path: string) => string | Buffer | undefined;
  options?: ParseFilesOptions;
}): LoadedSources {
  const { documents } = params;
  const originals = new Map<string, SourceObject[]>();
  const originalObjects = (path: string): SourceObject[] => {
    if (!originals.has(path)) {
      const content = params.readFile?.(path);
      originals.set(path, content === undefined ? [] : parseManifestFile({ path, content }).objects);
    }
    return originals.get(path)!;
  };
  const loaded: LoadedSources = { objects: [], findings: [] };
  const parsing = parseFilesWithin(
    documents.map((document) => ({ path: document.origin.file, content: document.text })),
    params.options,
  );
  for (let index = 0, next = parsing.next(); ; index += 1, next = parsing.next()) {
    if (next.done) return next.value ? { objects: [], findings: [next.value] } : loaded;
    const { origin } = documents[index]!;
    let line = 1;
    for (const object of next.value.objects) {
      const original = origin.via === "resource" ? matchOriginal(object, originalObjects(origin.file)) : undefined;
      line = original?.position.line ?? 1;
      loaded.objects.push(
        withLineOf({
          object: object.object,
          position: { file: origin.file, line },
          documentIndex: original?.documentIndex ?? 0,
          lines: original?.lines ?? line,
        }),
      );
    }
    loaded.findings.push(...next.value.findings.map((finding): Finding => ({ ...finding, position: { file: origin.file, line } })));
  }
}

/** The one document of the original file that is this object before kustomize changed it. */
function matchOriginal(rendered: SourceObject, candidates: SourceObject[]): SourceObject | undefined {
  const kind = rendered.object.kind;
  const name = rendered.object.metadata?.name ?? "";
  const sameKind = candidates.filter((candidate) => candidate.object.kind === kind);
  const exact = sameKind.filter((candidate) => candidate.object.metadata?.name === name);
  if (exact.length === 1) return exact[0];
  const contained = sameKind.filter((candidate) => name.includes(candidate.object.metadata?.name ?? "\0"));
  if (contained.length === 1) return contained[0];
  return sameKind.length === 1 ? sameKind[0] : undefined;
}
