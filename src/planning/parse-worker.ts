// The parse worker's side: parses the files it is sent within their budget, and sends back each
// file's objects (as data: the line tree instead of the lineOf closure) and findings as soon as
// that file is done, so the main thread takes them in small pieces between its other work.
import { parentPort, workerData } from "node:worker_threads";
import type { Finding, SourceObjectData } from "../manifests/types.js";
import { parseFilesWithin, type ManifestFile, type ParseFilesOptions } from "../manifests/manifest-file.js";
import { ParsedFileCache } from "./parse-cache.js";

/** What the pool starts a worker with. */
export interface ParseWorkerData {
  /** Text of files read before that the worker remembers, at most (parse-cache.ts). */
  cacheBytes: number;
}

export interface ParseRequest {
  id: number;
  files: Array<{ path: string; content: string | Uint8Array; sourceLines?: number[] }>;
  options: ParseFilesOptions;
}

export type ParseReply =
  /** Loaded, and waiting for files: the time a call may take starts now, not while the worker starts. */
  | { kind: "ready" }
  | { id: number; kind: "file"; objects: SourceObjectData[]; findings: Finding[] }
  /**
   * All files read, or `overBudget` says which total was passed (and what was sent must be dropped);
   * `remembered`: files answered from the worker's cache.
   */
  | { id: number; kind: "done"; overBudget?: Finding; remembered: number }
  /** A bug, not the input: the parser threw. */
  | { id: number; kind: "failed"; message: string };

const port = parentPort;
if (!port) throw new Error("parse-worker.ts runs as a worker thread, started by parse-pool.ts");
const cache = new ParsedFileCache((workerData as ParseWorkerData | undefined)?.cacheBytes ?? 0);

port.on("message", (request: ParseRequest) => {
  const reply = (message: ParseReply) => port.postMessage(message);
  try {
    const files: ManifestFile[] = request.files.map(({ path, content, sourceLines }) => ({
      path,
      content: typeof content === "string" ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      ...(sourceLines ? { sourceLines } : {}),
    }));
    const hitsBefore = cache.stats.hits;
    const parsing = parseFilesWithin(files, request.options, (file, limits) => cache.parse(file, limits));
    for (let next = parsing.next(); ; next = parsing.next()) {
      if (next.done) {
        reply({ id: request.id, kind: "done", remembered: cache.stats.hits - hitsBefore, ...(next.value ? { overBudget: next.value } : {}) });
        return;
      }
      const objects = next.value.objects.map(({ object, position, documentIndex, lines }) => ({ object, position, documentIndex, lines }));
      reply({ id: request.id, kind: "file", objects, findings: next.value.findings });
    }
  } catch (error) {
    reply({ id: request.id, kind: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
port.postMessage({ kind: "ready" } satisfies ParseReply);
