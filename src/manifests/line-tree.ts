// The lines of an object's fields as plain data: computed once from the YAML syntax tree, then
// read without it. Plain data crosses a worker thread's boundary (a closure over the syntax tree
// cannot), and keeping it instead of the tree keeps a parsed file's memory near its objects' size.
import { isAlias, isMap, isScalar, isSeq, visit, type Document, type LineCounter, type Node } from "yaml";
import type { FieldPath } from "./locate.js";
import type { SourceObject, SourceObjectData } from "./types.js";

/**
 * Where a value is written: its line, or its line and the trees of the values inside it that are
 * written in the file, by key (by index, as a string, in a sequence). A value copied in by a
 * merge key (`<<`) has no tree of its own: its line is its mapping's.
 */
export type LineTree = number | readonly [line: number, inside: Readonly<Record<string, LineTree>>];

/**
 * The line of a field path (["spec", "template", "spec", "containers", 0, "image"]): the nearest
 * existing ancestor's when the path does not exist in the file.
 */
export function lineOfPath(tree: LineTree, path: FieldPath): number {
  let node = tree;
  for (const segment of path) {
    if (typeof node === "number") break;
    const key = String(segment);
    const inside = node[1];
    if (!Object.hasOwn(inside, key)) break;
    node = inside[key] as LineTree;
  }
  return typeof node === "number" ? node : node[0];
}

/** A source object with `lineOf` read from its line tree: made where it is parsed, and again after it crossed a thread. */
export function withLineOf(data: SourceObjectData): SourceObject {
  return { ...data, lineOf: (path) => lineOfPath(data.lines, path) };
}

/**
 * The tree of `value`, which the document holds at `prefix` (the whole document, or an item of a
 * `List`), by the rules of locate.ts: a key's line, a sequence item's first line, aliases followed
 * to their anchors. Walks `value` and the syntax tree side by side, looking keys up in a map built
 * once per mapping, so a mapping of many keys takes linear time.
 */
export function buildLineTree(params: { doc: Document.Parsed; lineCounter: Pick<LineCounter, "linePos">; prefix: FieldPath; value: unknown }): LineTree {
  const { doc, lineCounter, prefix, value } = params;
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const anchorOf = anchorsOf(doc);
  const resolve = (node: unknown): unknown => (isAlias(node) ? anchorOf(node) : node);

  let node: unknown = doc.contents;
  let line = lineAt(doc.contents?.range[0] ?? 0);
  for (const segment of prefix) {
    const child = childOf(resolve(node), segment);
    if (!child) return line;
    ({ node, line } = { node: child.node, line: lineAt(child.offset) });
  }

  const build = (inner: unknown, at: unknown, atLine: number): LineTree => {
    const resolved = resolve(at);
    const inside: Record<string, LineTree> = {};
    let found = false;
    if (isMap(resolved) && typeof inner === "object" && inner !== null && !Array.isArray(inner)) {
      const pairs = new Map<string, (typeof resolved.items)[number]>();
      for (const pair of resolved.items) {
        // The first pair with the key, as locate.ts's find() takes it.
        if (isScalar(pair.key) && !pairs.has(String(pair.key.value))) pairs.set(String(pair.key.value), pair);
      }
      for (const [key, item] of Object.entries(inner)) {
        const pair = pairs.get(key);
        if (!pair || !isScalar(pair.key) || !pair.key.range) continue;
        define(inside, key, build(item, pair.value, lineAt(pair.key.range[0])));
        found = true;
      }
    } else if (isSeq(resolved) && Array.isArray(inner)) {
      inner.forEach((item: unknown, index) => {
        const itemNode: unknown = resolved.items[index];
        const range = hasRange(itemNode) ? itemNode.range : undefined;
        if (!range) return;
        define(inside, String(index), build(item, itemNode, lineAt(range[0])));
        found = true;
      });
    }
    return found ? [atLine, inside] : atLine;
  };
  return build(value, node, line);
}

/** The node at one step of a path, and the offset locate.ts gives that step. */
function childOf(node: unknown, segment: string | number): { node: unknown; offset: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair || !isScalar(pair.key) || !pair.key.range) return undefined;
    return { node: pair.value, offset: pair.key.range[0] };
  }
  if (isSeq(node)) {
    const item: unknown = node.items[Number(segment)];
    return hasRange(item) ? { node: item, offset: item.range[0] } : undefined;
  }
  return undefined;
}

/**
 * Each alias's anchor (the last node with that anchor before the alias, as the yaml package
 * resolves it), from one pass over the document: Alias.resolve() without a context walks the whole
 * document on every call.
 */
function anchorsOf(doc: Document.Parsed): (alias: unknown) => Node | undefined {
  let resolved: Map<unknown, Node> | undefined;
  return (alias) => {
    if (!resolved) {
      const found = new Map<unknown, Node>();
      const current = new Map<string, Node>();
      visit(doc, {
        Node(_key, node) {
          if (isAlias(node)) {
            const anchor = current.get(node.source);
            if (anchor) found.set(node, anchor);
          } else if (node.anchor) {
            current.set(node.anchor, node);
          }
        },
      });
      resolved = found;
    }
    return resolved.get(alias);
  };
}

/** defineProperty, so that a key named "__proto__" stays a key. */
function define(record: Record<string, LineTree>, key: string, tree: LineTree): void {
  Object.defineProperty(record, key, { value: tree, enumerable: true, writable: true, configurable: true });
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}
