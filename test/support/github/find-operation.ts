// Maps a concrete request (GET /repos/o/r/issues/comments/1) to the OpenAPI operation whose path
// template it instantiates (/repos/{owner}/{repo}/issues/comments/{comment_id}).
import {
  HTTP_METHODS,
  type HttpMethod,
  type OpenApiDocument,
  type OpenApiOperation,
} from "./openapi-document.js";

type Segment = { literal: string } | { param: string };

export interface IndexedOperation {
  method: HttpMethod;
  template: string;
  segments: readonly Segment[];
  operation: OpenApiOperation;
}

export type OperationLookup =
  | { kind: "matched"; operation: IndexedOperation; pathParams: Record<string, string> }
  | { kind: "method-not-allowed"; template: string; allowed: HttpMethod[] }
  | { kind: "unknown-path" };

/** Operations grouped by segment count: a template only ever matches paths of its own length. */
export type OperationIndex = Map<number, IndexedOperation[]>;

export function indexOperations(document: OpenApiDocument): OperationIndex {
  const index: OperationIndex = new Map();
  for (const [template, item] of Object.entries(document.paths)) {
    const segments = splitPath(template).map((part): Segment => {
      const param = /^\{(.+)\}$/.exec(part)?.[1];
      return param === undefined ? { literal: part } : { param };
    });
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const bucket = index.get(segments.length) ?? [];
      bucket.push({ method, template, segments, operation });
      index.set(segments.length, bucket);
    }
  }
  return index;
}

export function findOperation(index: OperationIndex, method: HttpMethod, pathname: string): OperationLookup {
  const parts = splitPath(pathname).map(decodeSegment);
  const candidates = (index.get(parts.length) ?? []).filter((candidate) =>
    candidate.segments.every((segment, i) => "param" in segment || segment.literal === parts[i]),
  );
  // `/repos/{owner}/{repo}/issues/comments/1` also fits `/repos/{owner}/{repo}/issues/{issue_number}/…`
  // shapes; like GitHub's router, a literal segment wins over a parameter at the same position.
  const [best] = candidates.sort(bySpecificity);
  if (!best) return { kind: "unknown-path" };
  const sameTemplate = candidates.filter((candidate) => candidate.template === best.template);
  const chosen = sameTemplate.find((candidate) => candidate.method === method);
  if (!chosen) {
    return { kind: "method-not-allowed", template: best.template, allowed: sameTemplate.map((c) => c.method) };
  }
  const pathParams: Record<string, string> = {};
  chosen.segments.forEach((segment, i) => {
    if ("param" in segment) pathParams[segment.param] = parts[i] ?? "";
  });
  return { kind: "matched", operation: chosen, pathParams };
}

function bySpecificity(a: IndexedOperation, b: IndexedOperation): number {
  for (let i = 0; i < a.segments.length; i++) {
    const aLiteral = isLiteral(a.segments[i]);
    const bLiteral = isLiteral(b.segments[i]);
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

function isLiteral(segment: Segment | undefined): boolean {
  return segment !== undefined && "literal" in segment;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape cannot be what Octokit produced; keep it raw so the lookup reports it.
    return segment;
  }
}
