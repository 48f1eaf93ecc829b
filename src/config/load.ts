// Parses `.github/slipway.yml` text into a RepoConfig, or into findings that say what is wrong
// and on which line, for the comment that answers a broken configuration.
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import type { Finding } from "../manifests/types.js";
import { repoConfigSchema, type RepoConfig } from "./schema.js";

export const configPath = ".github/slipway.yml";

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; findings: Finding[] };

export function parseRepoConfig(text: string, file = configPath): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: "1.1", uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((error) => {
        const pos = lineOf(error.pos[0]);
        return finding(file, pos.line, `invalid YAML: ${firstLine(error.message)}`, pos.col);
      }),
    };
  }
  const parsed = repoConfigSchema.safeParse(doc.toJS({ maxAliasCount: 50 }) ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    findings: parsed.error.issues.map((issue) => {
      const line = lineOfPath(doc, issue.path, lineOf);
      return finding(file, line, describeIssue(issue));
    }),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
  return `${where}: ${issue.message}`;
}

/** The line of the deepest node that exists along a path (1 for the document itself). */
function lineOfPath(doc: Document, path: PropertyKey[], lineOf: (offset: number) => { line: number }): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) return lineOf(node.range[0]).line;
  }
  return 1;
}

function finding(file: string, line: number, message: string, column?: number): Finding {
  return { severity: "error", code: "config", message, position: { file, line, ...(column ? { column } : {}) } };
}

const firstLine = (text: string) => text.split("\n")[0] ?? text;
