// Reads a manifest file's YAML documents the way kubectl does, with positions, turning every
// problem into a finding: one broken document does not hide the others.
import {
  Composer,
  isScalar,
  LineCounter,
  Parser,
  visit,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";
import { duplicateKeyErrors } from "./duplicate-keys.js";
import type { ManifestFinding } from "./findings.js";
import { buildLineTree, type LineTree } from "./line-tree.js";
import { documentLocator, type FieldPath, type Locate } from "./locate.js";
import { toPlainJson } from "./plain-json.js";
import type { ParseCounts } from "./types.js";

/** A non-empty, well-formed YAML document, converted to plain JSON data. */
export interface YamlDocument {
  /** 0-based, counting empty documents too, as a reader of the file counts `---`. */
  index: number;
  value: unknown;
  locate: Locate;
  /** The lines of `value`, a part of the document at `prefix` (an item of a List), as data. */
  lines: (prefix: FieldPath, value: unknown) => LineTree;
}

// kubectl decodes with go-yaml v2 into interface{}: YAML 1.1 booleans (yes/on) and octals (0755),
// but timestamps stay strings and there are no sexagesimal numbers (`- 22:22` must not become
// 1342). Binary, set and ordered-map tags would not convert to JSON, so they are dropped:
// an explicit `!!set` is then reported as an unresolved tag and read as a plain mapping.
const nonJsonTags = new Set(["binary", "omap", "pairs", "set", "timestamp"].map((name) => `tag:yaml.org,2002:${name}`));
const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  // Duplicate keys are refused, by duplicateKeyErrors(): the library's own check takes quadratic time.
  uniqueKeys: false,
  // Otherwise the library warns through process.emitWarning (about a collection used as a key,
  // say): a user's YAML has no business in the server's log.
  logLevel: "error",
  customTags: (tags) =>
    tags.filter((tag) => typeof tag === "string" || (tag.format !== "TIME" && !nonJsonTags.has(tag.tag))),
};

/** Where an offset of the text is, as positions name it: `LineCounter`'s, or mapped to another file's lines. */
export type Positions = Pick<LineCounter, "linePos">;

export function readYamlDocuments(params: {
  path: string;
  text: string;
  maxDocuments: number;
  maxAliasCount: number;
  /** For rendered text: per line of it (0-based), the line of `path` it came from. */
  sourceLines?: readonly number[];
}): { documents: YamlDocument[]; findings: ManifestFinding[]; counts: ParseCounts } {
  const { path, text, maxDocuments } = params;
  const counter = new LineCounter();
  const lineCounter = params.sourceLines ? mappedPositions(counter, params.sourceLines) : counter;
  const composer = new Composer(yamlOptions);
  const parsed: Document.Parsed[] = [];
  // Documents come one at a time, so a file of a million `---` lines is refused early.
  for (const doc of composer.compose(new Parser(counter.addNewLine).parse(text))) {
    doc.errors.push(...duplicateKeyErrors(doc));
    parsed.push(doc);
    if (parsed.length > maxDocuments) return { documents: [], findings: [tooManyDocuments(path, maxDocuments)], counts: { documents: parsed.length, aliasValues: 0 } };
  }
  const findings: ManifestFinding[] = [];
  if (parsed.length === 0) findings.push(...yamlFindings({ path, text, lineCounter, ...composer.streamInfo() }));
  const documents: YamlDocument[] = [];
  const counts: ParseCounts = { documents: parsed.length, aliasValues: 0 };
  parsed.forEach((doc, index) => {
    const result = convertDocument({ ...params, doc, index, lineCounter });
    findings.push(...result.findings);
    counts.aliasValues += result.aliasValues;
    if (result.document) documents.push(result.document);
  });
  return { documents, findings, counts };
}

function convertDocument(params: {
  path: string;
  text: string;
  doc: Document.Parsed;
  index: number;
  lineCounter: Positions;
  maxAliasCount: number;
}): { document?: YamlDocument; findings: ManifestFinding[]; aliasValues: number } {
  const { path, doc, index, lineCounter, maxAliasCount } = params;
  const findings = yamlFindings({ ...params, errors: doc.errors, warnings: doc.warnings });
  // `---` alone, or only comments: nothing to apply, and nothing wrong either.
  const empty = doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
  if (doc.errors.length > 0 || empty) return { findings, aliasValues: 0 };
  const locate = documentLocator({ doc, lineCounter });
  let value: unknown;
  let aliasValues = 0;
  try {
    value = doc.toJS({
      // The library counts the anchored node as one use of it: allow maxAliasCount aliases on top.
      maxAliasCount: maxAliasCount < 0 ? -1 : maxAliasCount + 1,
      // Each use beyond the anchor's own copies what is under it (toPlainJson makes the copies).
      onAnchor: (anchored, uses) => {
        if (uses > 1) aliasValues += (uses - 1) * countValues(anchored, aliasValuesCap);
      },
    });
  } catch (error) {
    // toJS throws on aliases (a bomb, a missing anchor) and bad merge keys: input errors here.
    if (!(error instanceof Error)) throw error;
    return { findings: [...findings, aliasFinding({ path, doc, lineCounter, error, maxAliasCount })], aliasValues };
  }
  const plain = toPlainJson(value);
  if ("problem" in plain) {
    const at = locate(plain.problem.path);
    const field = plain.problem.path.join(".");
    const message =
      `${field || "the document"}: ${plain.problem.description}. ` +
      `Kubernetes objects are JSON: write a JSON value here.`;
    const position = { file: path, ...at };
    return { findings: [...findings, { severity: "error", code: "non-json-value", message, position }], aliasValues };
  }
  const lines = (prefix: FieldPath, value: unknown) => buildLineTree({ doc, lineCounter, prefix, value });
  return { document: { index, value: plain.value, locate, lines }, findings, aliasValues };
}

// Counting stops here: far past any budget, and an alias that contains itself never ends.
const aliasValuesCap = 10_000_000;

/** The values in `value` (itself included), up to `cap`. */
function countValues(value: unknown, cap: number): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && count < cap) {
    const next = pending.pop();
    count += 1;
    if (typeof next !== "object" || next === null) continue;
    for (const item of Array.isArray(next) ? (next as unknown[]) : Object.values(next)) pending.push(item);
  }
  return count;
}

function yamlFindings(params: {
  path: string;
  text: string;
  lineCounter: Positions;
  errors: ReadonlyArray<{ code: string; message: string; pos: [number, number] }>;
  warnings: ReadonlyArray<{ code: string; message: string; pos: [number, number] }>;
}): ManifestFinding[] {
  const { path, text, lineCounter } = params;
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: path, line, column: col };
  };
  const errors = params.errors.map((error): ManifestFinding => {
    if (error.code === "DUPLICATE_KEY") {
      const key = text.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 100));
      const message =
        `duplicate key ${JSON.stringify(key)}: a key may appear only once in a mapping ` +
        `(kubectl refuses it too); remove one of them.`;
      return { severity: "error", code: "yaml-duplicate-key", message, position: position(error.pos[0]) };
    }
    const message =
      `YAML syntax error: ${error.message}. Fix this document; the other documents in the file are still read.`;
    return { severity: "error", code: "yaml-syntax", message, position: position(error.pos[0]) };
  });
  const warnings = params.warnings.map(
    (warning): ManifestFinding => ({
      severity: "warning",
      code: "yaml-warning",
      message:
        warning.code === "TAG_RESOLVE_FAILED"
          ? `YAML: ${warning.message}; the value is read as if it had no tag.`
          : `YAML: ${warning.message}.`,
      position: position(warning.pos[0]),
    }),
  );
  return [...errors, ...warnings];
}

function aliasFinding(params: {
  path: string;
  doc: Document.Parsed;
  lineCounter: Positions;
  error: Error;
  maxAliasCount: number;
}): ManifestFinding {
  const { path, doc, lineCounter, error, maxAliasCount } = params;
  let offset = doc.contents?.range[0] ?? 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? offset;
      return visit.BREAK;
    },
  });
  const { line, col } = lineCounter.linePos(offset);
  // The library's only signal for an alias bomb is this message.
  const bomb = error.message.includes("Excessive alias count");
  const message = bomb
    ? `this document expands YAML aliases (*name) more than ${maxAliasCount} times, which Slipway refuses ` +
      `as a possible alias bomb ("billion laughs"); write the repeated parts out, or use fewer aliases.`
    : `YAML error: ${error.message}. Fix the alias or merge key (<<) it refers to.`;
  return { severity: "error", code: "yaml-alias", message, position: { file: path, line, column: col } };
}

function tooManyDocuments(path: string, maxDocuments: number): ManifestFinding {
  return {
    severity: "error",
    code: "too-many-documents",
    message:
      `${path} has more than ${maxDocuments} YAML documents, more than Slipway reads from one file; ` +
      `split it into several files.`,
    position: { file: path, line: 1 },
  };
}

/** Positions in rendered text, named by the lines of the file each line came from (column: the rendered one). */
function mappedPositions(counter: LineCounter, sourceLines: readonly number[]): Positions {
  return {
    linePos: (offset) => {
      const { line, col } = counter.linePos(offset);
      return { line: sourceLines[line - 1] ?? sourceLines.at(-1) ?? line, col };
    },
  };
}
