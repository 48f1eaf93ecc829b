// Rendered documents as manifest files placed in the files a person edits rather than in the
// tool's output: one file per repository file the objects came from, in the order the tool printed
// them, with ManifestFile.sourceLines naming, per line of the rendered text, a line of that file.
// An object kustomize read from a resource file is matched to its document there (same kind, and
// its name, which a prefix or suffix may have lengthened), and each rendered field takes the line
// where the field is written in the file (a patched-in field, its nearest written ancestor's).
// Anything else (a generated object, a Helm template's) is placed at line 1 of its file; a
// template's lines are not the output's.
import { lineOfPath, type LineTree } from "../manifests/line-tree.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { parseManifestFile } from "../manifests/parse.js";
import type { SourceObject } from "../manifests/types.js";
import type { RenderedDocument } from "./types.js";

export function renderedManifestFiles(params: {
  documents: ReadonlyArray<RenderedDocument>;
  /** A repository file's content by path, to place objects of Kustomize resources on their lines. */
  readFile?: (path: string) => string | Buffer | undefined;
}): ManifestFile[] {
  const originals = new Map<string, SourceObject[]>();
  const originalObjects = (path: string): SourceObject[] => {
    if (!originals.has(path)) {
      const content = params.readFile?.(path);
      originals.set(path, content === undefined ? [] : parseManifestFile({ path, content }).objects);
    }
    return originals.get(path)!;
  };
  const grouped = new Map<string, { texts: string[]; sourceLines: number[] }>();
  for (const { text: printed, origin } of params.documents) {
    const text = printed.endsWith("\n") ? printed : `${printed}\n`;
    const lines = lineCount(text);
    let sourceLines: number[] = new Array<number>(lines).fill(1);
    if (origin.via === "resource" && origin.inside === undefined) {
      // The rendered document's own fields, each with its line in the rendered text.
      const [rendered] = parseManifestFile({ path: origin.file, content: text }).objects;
      const original = rendered ? matchOriginal(rendered, originalObjects(origin.file)) : undefined;
      if (rendered && original) sourceLines = placeLines(rendered.lines, original, lines);
    }
    const group = grouped.get(origin.file) ?? { texts: [], sourceLines: [] };
    grouped.set(origin.file, group);
    // The `---` between two documents goes with the next one.
    if (group.texts.length > 0) group.sourceLines.push(sourceLines[0] ?? 1);
    group.texts.push(text);
    group.sourceLines.push(...sourceLines);
  }
  return [...grouped].map(([path, group]) => ({ path, content: group.texts.join("---\n"), sourceLines: group.sourceLines }));
}

/** Per rendered line: the original's line of the field written there; a line no field starts on (a long string's) keeps the line before. */
function placeLines(rendered: LineTree, original: SourceObject, lines: number): number[] {
  const placed = new Array<number | undefined>(lines).fill(undefined);
  const visit = (tree: LineTree, path: Array<string | number>) => {
    const line = typeof tree === "number" ? tree : tree[0];
    if (line >= 1 && line <= lines && placed[line - 1] === undefined) placed[line - 1] = original.lineOf(path);
    if (typeof tree !== "number") for (const [key, child] of Object.entries(tree[1])) visit(child, [...path, /^\d+$/.test(key) ? Number(key) : key]);
  };
  visit(rendered, []);
  const start = lineOfPath(original.lines, []);
  let last = start;
  return placed.map((line) => (last = line ?? last));
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

/** Lines of a text that ends with a line break. */
function lineCount(text: string): number {
  let count = 0;
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) count++;
  return count;
}
