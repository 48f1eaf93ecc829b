// Maps a path of keys and indexes to where it is written in a YAML document, walking the
// document's syntax tree rather than the converted object so that every field keeps its line.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from "yaml";

export type FieldPath = ReadonlyArray<string | number>;

/** 1-based line and column. */
export interface LineColumn {
  line: number;
  column: number;
}

/** The position of a path, or of its nearest existing ancestor when the path is not in the file. */
export type Locate = (path: FieldPath) => LineColumn;

export function documentLocator(params: { doc: Document.Parsed; lineCounter: Pick<LineCounter, "linePos"> }): Locate {
  const { doc, lineCounter } = params;
  return (path) => {
    const { line, col } = lineCounter.linePos(offsetOf(doc, path));
    return { line, column: col };
  };
}

/** A locator for a part of a document (an item of a `List`), by the path to that part. */
export function locateWithin(locate: Locate, prefix: FieldPath): Locate {
  return (path) => locate([...prefix, ...path]);
}

function offsetOf(doc: Document.Parsed, path: FieldPath): number {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range[0] ?? 0;
  for (const segment of path) {
    // Follow an alias to its anchor; without a context, resolve() only looks the anchor up.
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      // A key written as `80:` or `true:` becomes the string "80" or "true" in the object.
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      const range = hasRange(item) ? item.range : undefined;
      if (!range) break;
      offset = range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}
