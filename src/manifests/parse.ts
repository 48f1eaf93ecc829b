// Reads one manifest file into Kubernetes objects with their positions. Never throws on what a
// user committed: every problem becomes a finding with the file, line and column.
import { objectsOfDocument } from "./check-object.js";
import { readManifestText } from "./read-text.js";
import { defaultParseLimits, type ParsedFile, type ParseLimits } from "./types.js";
import { readYamlDocuments } from "./yaml-documents.js";

export function parseManifestFile(params: {
  path: string;
  content: string | Buffer;
  limits?: Partial<ParseLimits>;
  /** Rendered text: per line, the line of `path` it came from (ManifestFile.sourceLines). */
  sourceLines?: readonly number[];
}): ParsedFile {
  const { path, content } = params;
  const limits = withDefaults(params.limits);
  const read = readManifestText({ path, content, maxFileBytes: limits.maxFileBytes });
  if ("finding" in read) return { path, objects: [], findings: [read.finding], counts: { documents: 0, aliasValues: 0 } };

  const yaml = readYamlDocuments({ path, text: read.text, ...limits, ...(params.sourceLines ? { sourceLines: params.sourceLines } : {}) });
  const parsed: ParsedFile = { path, objects: [], findings: [...yaml.findings], counts: yaml.counts };
  for (const document of yaml.documents) {
    const { objects, findings } = objectsOfDocument({ path, document });
    parsed.objects.push(...objects);
    parsed.findings.push(...findings);
  }
  // In file order, as a reader goes through the file (and as annotations are listed).
  parsed.findings.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0));
  return parsed;
}

function withDefaults(limits: Partial<ParseLimits> = {}): ParseLimits {
  return {
    maxFileBytes: limits.maxFileBytes ?? defaultParseLimits.maxFileBytes,
    maxDocuments: limits.maxDocuments ?? defaultParseLimits.maxDocuments,
    maxAliasCount: limits.maxAliasCount ?? defaultParseLimits.maxAliasCount,
  };
}
