// The parse worker's memory of files it has read: the same text at the same path, read with the
// same limits, gives the same objects and findings, so it is parsed once. A merge applies the
// files its pull request's plan read; a re-apply and a drift check read them again; most files of
// an environment do not change from one commit to the next. Like Argo CD's repo-server, which
// keeps the manifests it generated per revision, but per file and by content: a commit that
// changes one file re-reads that file alone.
//
// Keyed by a SHA-256 of everything the result depends on, so a changed file is never answered
// from memory. Bounded by the bytes of text it remembers (least recently used out first); what a
// file costs against the budget is remembered too, so a budget counts remembered files exactly as
// read ones. The parsed files are never handed out: the worker sends copies (postMessage).
import { createHash } from "node:crypto";
import { parseOneFile, type ManifestFile } from "../manifests/manifest-file.js";
import type { ParsedFile, ParseLimits } from "../manifests/types.js";

export class ParsedFileCache {
  private readonly entries = new Map<string, { parsed: ParsedFile; bytes: number }>();
  private bytes = 0;
  /** Files answered from memory, and files read, since the cache was made. */
  readonly stats = { hits: 0, misses: 0 };

  /** `maxBytes`: the text remembered at most (0: remember nothing). */
  constructor(private readonly maxBytes: number) {}

  parse(file: ManifestFile, limits: Partial<ParseLimits> | undefined): ParsedFile {
    const bytes = typeof file.content === "string" ? Buffer.byteLength(file.content) : file.content.byteLength;
    if (bytes > this.maxBytes) {
      this.stats.misses += 1;
      return parseOneFile(file, limits);
    }
    const key = keyOf(file, limits);
    const known = this.entries.get(key);
    if (known) {
      this.stats.hits += 1;
      // Most recently used: to the end of the Map's order.
      this.entries.delete(key);
      this.entries.set(key, known);
      return known.parsed;
    }
    this.stats.misses += 1;
    const parsed = parseOneFile(file, limits);
    this.entries.set(key, { parsed, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    return parsed;
  }
}

function keyOf(file: ManifestFile, limits: Partial<ParseLimits> | undefined): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([file.path, limits ?? null, file.sourceLines ?? null]));
  hash.update("\0");
  hash.update(file.content);
  return hash.digest("base64");
}
