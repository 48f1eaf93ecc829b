// Parsing off the event loop: a small pool of worker threads parses manifest files, so a huge or
// hostile pull request never holds up the webhooks, plans and applies around it. A call waits for
// a free worker, sends it the files and takes each file's objects back as soon as it is parsed.
// A call that runs past its wall-clock budget has its worker terminated, and one whose worker runs
// out of memory loses it; either way the environment gets a finding and planning goes on.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { withLineOf } from "../manifests/line-tree.js";
import type { LoadedSources, ManifestFile, ParseFilesOptions } from "../manifests/manifest-file.js";
import type { ManifestFinding } from "../manifests/findings.js";
import type { ParseReply, ParseRequest, ParseWorkerData } from "./parse-worker.js";

export interface ParsePoolOptions {
  /** Worker threads (default 2, or 1 on a one-core machine). */
  size: number;
  /** Wall-clock time one call may take once a worker starts on it (default 120 s). */
  timeoutMs: number;
  /** The V8 heap of each worker (default 512 MiB). */
  maxHeapMb: number;
  /** Text of files read before that each worker remembers, at most (default 4 MiB; parse-cache.ts). */
  cacheBytes: number;
}

/** What plans need from a parser: the files' objects and findings, every problem a finding. */
export interface ManifestParser {
  parse(files: ManifestFile[], options?: ParseFilesOptions): Promise<LoadedSources>;
}

interface Job {
  id: number;
  files: ManifestFile[];
  options: ParseFilesOptions;
  loaded: LoadedSources;
  resolve: (loaded: LoadedSources) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its modules. */
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

export class ParsePool implements ManifestParser {
  private readonly options: ParsePoolOptions;
  private readonly slots = new Set<Slot>();
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private remembered = 0;

  constructor(options: Partial<ParsePoolOptions> = {}) {
    this.options = {
      size: options.size ?? Math.min(2, availableParallelism()),
      timeoutMs: options.timeoutMs ?? 120_000,
      maxHeapMb: options.maxHeapMb ?? 512,
      cacheBytes: options.cacheBytes ?? 4 * 1024 * 1024,
    };
  }

  parse(files: ManifestFile[], options: ParseFilesOptions = {}): Promise<LoadedSources> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextId++, files, options, loaded: { objects: [], findings: [] }, resolve, reject });
      this.dispatch();
    });
  }

  /** Files the workers answered from memory instead of reading them again, since the pool was made. */
  get rememberedFiles(): number {
    return this.remembered;
  }

  /** Terminates the workers; calls still waiting fail. */
  async close(): Promise<void> {
    for (const job of this.waiting.splice(0)) job.reject(new Error("the parse pool was closed"));
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) {
      clearTimeout(slot.timer);
      slot.job?.reject(new Error("the parse pool was closed"));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    const idle = () => [...this.slots].filter((slot) => !slot.job);
    // A worker for each waiting call, up to the pool's size; a starting worker counts.
    while (this.waiting.length > idle().length && this.slots.size < this.options.size) this.spawn();
    for (const slot of idle().filter((candidate) => candidate.ready)) {
      const job = this.waiting.shift();
      if (!job) return;
      this.start(slot, job);
    }
  }

  private spawn(): void {
    // No execArgv: the parent's flags (--input-type, tsx's hooks) are not all valid in a worker.
    // Referenced while it starts, for the call waiting for it.
    const workerData: ParseWorkerData = { cacheBytes: this.options.cacheBytes };
    const worker = new Worker(workerEntry(), { execArgv: [], workerData, resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } });
    const slot: Slot = { worker, ready: false };
    worker.on("message", (reply: ParseReply) => this.receive(slot, reply));
    worker.on("error", (error) => this.lose(slot, error));
    worker.on("exit", (code) => this.lose(slot, new Error(`the parse worker exited with code ${code}`)));
    this.slots.add(slot);
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    slot.timer = setTimeout(() => this.timeOut(slot), this.options.timeoutMs);
    // Exact copies, moved to the worker: a Buffer may be a view of a larger pooled ArrayBuffer.
    const files = job.files.map(({ path, content, sourceLines }) => ({ path, content: typeof content === "string" ? content : new Uint8Array(content), ...(sourceLines ? { sourceLines } : {}) }));
    const transfer = files.flatMap(({ content }) => (typeof content === "string" ? [] : [content.buffer]));
    const request: ParseRequest = { id: job.id, files, options: job.options };
    slot.worker.postMessage(request, transfer);
  }

  private receive(slot: Slot, reply: ParseReply): void {
    if (reply.kind === "ready") {
      slot.ready = true;
      // An idle worker must not keep the process alive (the command line exits when its plan is
      // done). Not before now: an unref() before the worker is online does not last (Node 20).
      slot.worker.unref();
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || reply.id !== job.id) return;
    switch (reply.kind) {
      case "file":
        for (const data of reply.objects) job.loaded.objects.push(withLineOf(data));
        for (const finding of reply.findings) job.loaded.findings.push(finding);
        return;
      case "done":
        this.remembered += reply.remembered;
        this.release(slot);
        job.resolve(reply.overBudget ? { objects: [], findings: [reply.overBudget] } : job.loaded);
        return;
      case "failed":
        this.release(slot);
        job.reject(new Error(`parsing the manifests failed: ${reply.message}`));
        return;
    }
  }

  /** The worker is free again. */
  private release(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.worker.unref();
    queueMicrotask(() => this.dispatch());
  }

  private timeOut(slot: Slot): void {
    const job = slot.job;
    this.discard(slot);
    job?.resolve({ objects: [], findings: [parseTimeout(this.options.timeoutMs)] });
    this.dispatch();
  }

  /** The worker died: out of memory (the input's doing: a finding), or otherwise (a bug: an error). */
  private lose(slot: Slot, error: Error): void {
    if (!this.slots.has(slot)) return;
    const job = slot.job;
    this.discard(slot);
    if (!slot.ready) {
      // It could not even start (a missing module): every waiting call would meet the same fate.
      for (const waiting of this.waiting.splice(0)) waiting.reject(new Error(`the parse worker could not start: ${error.message}`, { cause: error }));
      return;
    }
    if (job && (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") job.resolve({ objects: [], findings: [parseOutOfMemory(this.options.maxHeapMb)] });
    else job?.reject(new Error(`the parse worker failed: ${error.message}`, { cause: error }));
    this.dispatch();
  }

  private discard(slot: Slot): void {
    this.slots.delete(slot);
    clearTimeout(slot.timer);
    slot.job = undefined;
    void slot.worker.terminate();
  }
}

/**
 * The worker's module, next to this one: parse-worker.js in the compiled lib/; from the
 * TypeScript source (tsx, vitest), a small bootstrap that registers tsx's hooks in the worker first.
 */
function workerEntry(): URL {
  const compiled = import.meta.url.endsWith(".js");
  return new URL(compiled ? "./parse-worker.js" : "./parse-worker-tsx.js", import.meta.url);
}

function parseTimeout(timeoutMs: number): ManifestFinding {
  return {
    severity: "error",
    code: "parse-timeout",
    message:
      `Parsing the manifests of this environment took more than ${timeoutMs / 1000} s, so Slipway stopped it and planned nothing. ` +
      `Split the environment into smaller ones, or look for a file that is unusually large or deeply nested.`,
  };
}

function parseOutOfMemory(maxHeapMb: number): ManifestFinding {
  return {
    severity: "error",
    code: "parse-out-of-memory",
    message:
      `Parsing the manifests of this environment needed more than the ${maxHeapMb} MiB of memory Slipway gives it, so it was stopped and ` +
      `Slipway planned nothing. Split the environment into smaller ones, or look for a file that is unusually large or uses many YAML aliases.`,
  };
}

let shared: ParsePool | undefined;

/** The process's pool, made on first use: the app, the command line and the demo share it. */
export function sharedParsePool(): ParsePool {
  shared ??= new ParsePool();
  return shared;
}
