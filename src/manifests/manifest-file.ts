// Manifest files as Slipway reads them (from a tarball, the API, the disk), and their parsing
// into objects with positions, within a budget over all of them. Validation against an
// environment's policy comes after.
import type { ManifestFinding, ManifestFindingCode } from "./findings.js";
import { parseManifestFile } from "./parse.js";
import { defaultParseBudget, type Finding, type ParseBudget, type ParsedFile, type ParseLimits, type SourceObject } from "./types.js";

export interface ManifestFile {
  /** Path inside the repository. */
  path: string;
  content: string | Buffer;
  /**
   * Rendered by kustomize or helm, not read from the repository: per line of `content` (0-based),
   * the line of `path` it came from, so positions name the file a person edits.
   */
  sourceLines?: number[];
}

export interface LoadedSources {
  objects: SourceObject[];
  findings: Finding[];
}

export interface ParseFilesOptions {
  /** Totals over all the files (default: defaultParseBudget). */
  budget?: Partial<ParseBudget>;
  /** Per file (default: defaultParseLimits). */
  limits?: Partial<ParseLimits>;
}

/** Every file's objects and findings; only the budget's finding when the files pass it. */
export function parseFiles(files: ManifestFile[], options: ParseFilesOptions = {}): LoadedSources {
  const loaded: LoadedSources = { objects: [], findings: [] };
  const parsing = parseFilesWithin(files, options);
  for (let next = parsing.next(); ; next = parsing.next()) {
    if (next.done) return next.value ? { objects: [], findings: [next.value] } : loaded;
    loaded.objects.push(...next.value.objects);
    loaded.findings.push(...next.value.findings);
  }
}

/**
 * Parses the files one at a time, yielding each, and stops at the first total of the budget
 * passed, returning the finding that says so. The caller must then plan nothing: it has only part
 * of the files, and a plan (or an apply) of part of an environment would show (or prune) the rest
 * as removed.
 */
export function* parseFilesWithin(
  files: ManifestFile[],
  options: ParseFilesOptions = {},
  /** Reads one file (the parse worker's cache of files it has read before, say). */
  parseFile: (file: ManifestFile, limits: Partial<ParseLimits> | undefined) => ParsedFile = parseOneFile,
): Generator<ParsedFile, ManifestFinding | undefined> {
  const budget = { ...defaultParseBudget, ...options.budget };
  const bytes = files.reduce((total, file) => total + byteLength(file.content), 0);
  if (bytes > budget.maxTotalBytes) {
    return overBudget(`hold ${bytes} bytes, more than the ${budget.maxTotalBytes} bytes Slipway reads for one environment at one commit`);
  }
  const totals = { documents: 0, objects: 0, aliasValues: 0 };
  for (const file of files) {
    const parsed = parseFile(file, options.limits);
    totals.documents += parsed.counts.documents;
    totals.objects += parsed.objects.length;
    totals.aliasValues += parsed.counts.aliasValues;
    if (totals.documents > budget.maxTotalDocuments) {
      return overBudget(`hold more than ${budget.maxTotalDocuments} YAML documents, more than Slipway reads for one environment at one commit`);
    }
    if (totals.objects > budget.maxTotalObjects) {
      return overBudget(`hold more than ${budget.maxTotalObjects} Kubernetes objects, more than Slipway reads for one environment at one commit`);
    }
    if (totals.aliasValues > budget.maxTotalAliasValues) {
      return overBudget(
        `use YAML aliases (*name) that copy more than ${budget.maxTotalAliasValues} values, which Slipway refuses for one environment at one commit as a possible alias bomb`,
        "Write the repeated parts out, or use fewer aliases.",
      );
    }
    yield parsed;
  }
  return undefined;
}

/** One file, as `parseFilesWithin` reads it unless told otherwise. */
export function parseOneFile(file: ManifestFile, limits: Partial<ParseLimits> | undefined): ParsedFile {
  return parseManifestFile({ path: file.path, content: file.content, ...(file.sourceLines ? { sourceLines: file.sourceLines } : {}), ...(limits ? { limits } : {}) });
}

/** The finding of a read that stopped short (a budget, a timeout, memory): nothing may be planned from it. */
export function stoppedReading(loaded: LoadedSources): Finding[] {
  return loaded.findings.filter((finding) => stopCodes.has(finding.code as ManifestFindingCode));
}

const stopCodes = new Set<ManifestFindingCode>(["input-over-budget", "parse-timeout", "parse-out-of-memory"]);

const splitOrExclude = "Exclude files that are not manifests with `exclude` in .github/slipway.yml, or split the environment into smaller ones.";

function overBudget(what: string, fix = splitOrExclude): ManifestFinding {
  return {
    severity: "error",
    code: "input-over-budget",
    message: `The manifests of this environment ${what}, so it planned nothing. ${fix}`,
  };
}

const byteLength = (content: ManifestFile["content"]): number => (typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.byteLength);
