// Parses YAML configuration (`.github/slipway.yml`, the server's policy file) against its zod
// schema, into a fully defaulted value or into findings that say what is wrong and on which line.
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type * as z from "zod";
import type { Finding } from "../manifests/types.js";
import { repoConfigSchema, type RepoConfig } from "./schema.js";

export const configPath = ".github/slipway.yml";

/** The line of a path in the parsed document (of its deepest existing part; 1 for the document itself). */
export type LineOfPath = (path: ReadonlyArray<PropertyKey>) => number;

/** Whether the document itself writes a path (rather than the schema's default filling it in). */
export type WrittenAt = (path: ReadonlyArray<PropertyKey>) => boolean;

export type ParseResult<T> = { ok: true; config: T; lineOf: LineOfPath; written: WrittenAt } | { ok: false; findings: Finding[] };

export type ConfigResult = ParseResult<RepoConfig>;

export function parseRepoConfig(text: string, file = configPath): ConfigResult {
  return parseYamlConfig(repoConfigSchema, text, file);
}

export function parseYamlConfig<S extends z.ZodType>(schema: S, text: string, file: string): ParseResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: "1.1", uniqueKeys: true, prettyErrors: false });
  const position = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((error) => {
        const pos = position(error.pos[0]);
        return configFinding(file, pos.line, `invalid YAML: ${firstLine(error.message)}`, pos.col);
      }),
    };
  }
  const lineOf: LineOfPath = (path) => lineOfPath(doc, path, position);
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 50 }) ?? {});
  const written: WrittenAt = (path) => doc.hasIn(path as Array<string | number>);
  if (parsed.success) return { ok: true, config: parsed.data, lineOf, written };
  return { ok: false, findings: parsed.error.issues.map((issue) => configFinding(file, lineOf(issue.path), describeIssue(issue))) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
  return `${where}: ${issue.message}`;
}

function lineOfPath(doc: Document, path: ReadonlyArray<PropertyKey>, position: (offset: number) => { line: number }): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) return position(node.range[0]).line;
  }
  return 1;
}

export function configFinding(file: string, line: number, message: string, column?: number): Finding {
  return { severity: "error", code: "config", message, position: { file, line, ...(column ? { column } : {}) } };
}

const firstLine = (text: string) => text.split("\n")[0] ?? text;
