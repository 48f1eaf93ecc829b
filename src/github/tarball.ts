// Reads the repository tarball GitHub serves for a commit (gzip'd ustar with pax headers, made by
// `git archive`) as it downloads: one request instead of one per file, and never the whole archive
// in memory. The archive is inflated chunk by chunk and only the regular files `wanted` accepts are
// kept; symlinks, hard links and other entries are skipped, never followed. Two caps stop a hostile
// or huge repository: on the bytes unpacked (a gzip bomb, a header claiming gigabytes) and on the
// bytes kept. Reading stops, and the download is aborted, as soon as either is passed.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { tarballLimitVariables, type TarballLimits } from "../config/server.js";
import { paxSize, parsePax, parseTarHeader, tarBlock, TarFormatError, type TarHeader } from "./tar-header.js";

export interface TarEntry {
  /** Path inside the repository (GitHub's top-level `owner-repo-sha/` directory removed). */
  path: string;
  content: Buffer;
}

export interface ReadTarballOptions {
  wanted: (path: string) => boolean;
  limits: TarballLimits;
  /** Stops the download and the unpacking (the server shuts down): rejects with its reason. */
  signal?: AbortSignal;
}

/** What a tarball may be read from: the download's body, a Node stream, or bytes already here. */
export type TarballSource = ReadableStream<Uint8Array> | Readable | Uint8Array;

export type TarballCap = keyof TarballLimits;

/** A cap was passed: reading stopped there. Says which cap and how to raise it. */
export class TarballLimitError extends Error {
  override readonly name = "TarballLimitError";
  constructor(
    readonly cap: TarballCap,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

/** The archive is not gzip'd tar, or is cut short. */
export { TarFormatError };

// pax headers hold a path or two; anything bigger is not from `git archive`.
const maxPaxBytes = 1024 * 1024;

export async function readTarball(source: TarballSource, options: ReadTarballOptions): Promise<TarEntry[]> {
  const extractor = new TarExtractor(options);
  const input = source instanceof Uint8Array ? Readable.from([source]) : source instanceof Readable ? source : Readable.fromWeb(source as WebReadableStream<Uint8Array>);
  // The extractor's own error (a cap, a bad header): pipeline reports it as an AbortError.
  let stopped: Error | undefined;
  try {
    // Throwing in the last stage destroys the gunzip and the download: the rest is never read.
    await pipeline(
      input,
      createGunzip({ chunkSize: 64 * 1024 }),
      async (inflated: AsyncIterable<Buffer>) => {
        try {
          for await (const chunk of inflated) extractor.write(chunk);
        } catch (error) {
          stopped = error instanceof Error ? error : new Error(String(error));
          throw stopped;
        }
      },
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    options.signal?.throwIfAborted();
    if (stopped !== undefined) throw stopped;
    // zlib's errors: not gzip at all ("incorrect header check"), or cut short ("unexpected end of file").
    const message = error instanceof Error ? error.message : String(error);
    throw new TarFormatError(`the repository archive could not be unpacked (not gzip data, or corrupt or cut short): ${message}`, { cause: error });
  }
  return extractor.end();
}

type State =
  | { kind: "header" }
  /** Data of an entry: copied into `target` when kept, skipped otherwise; then the padding. */
  | { kind: "data"; header: TarHeader; path: string | undefined; remaining: number; padding: number; target?: Buffer; filled: number }
  | { kind: "end" };

/** A push parser: `write` each inflated chunk, then `end`. Throws as soon as a cap is passed. */
class TarExtractor {
  private readonly entries: TarEntry[] = [];
  private state: State = { kind: "header" };
  private readonly header = Buffer.alloc(tarBlock);
  private headerFilled = 0;
  private pax: Record<string, string> = {};
  private unpacked = 0;
  private kept = 0;

  constructor(private readonly options: ReadTarballOptions) {}

  write(chunk: Buffer): void {
    this.unpacked += chunk.length;
    if (this.unpacked > this.options.limits.maxUnpackedBytes) throw this.overUnpacked();
    let offset = 0;
    while (offset < chunk.length && this.state.kind !== "end") {
      offset += this.state.kind === "header" ? this.fillHeader(chunk, offset) : this.consumeData(this.state, chunk, offset);
    }
  }

  end(): TarEntry[] {
    if (this.state.kind !== "end") {
      const where = this.state.kind === "data" ? ` in the middle of ${this.state.path ?? this.state.header.name}` : "";
      throw new TarFormatError(`the repository archive ended${where} before its end-of-archive marker: the download was cut short, or the archive is corrupt`);
    }
    return this.entries;
  }

  private fillHeader(chunk: Buffer, offset: number): number {
    const taken = chunk.copy(this.header, this.headerFilled, offset, offset + tarBlock - this.headerFilled);
    this.headerFilled += taken;
    if (this.headerFilled === tarBlock) {
      this.headerFilled = 0;
      // Where the entry's data starts in the whole inflated archive.
      const dataStart = this.unpacked - chunk.length + offset + taken;
      this.startEntry(parseTarHeader(this.header, dataStart - tarBlock), dataStart);
    }
    return taken;
  }

  private startEntry(parsed: TarHeader | undefined, dataStart: number): void {
    if (!parsed) {
      this.state = { kind: "end" };
      return;
    }
    const isPax = parsed.type === "x";
    const size = isPax ? parsed.size : (paxSize(this.pax) ?? parsed.size);
    const header = { ...parsed, size };
    const name = this.pax.path ?? parsed.name;
    if (!isPax) this.pax = {};
    const padding = (tarBlock - (size % tarBlock)) % tarBlock;
    if (dataStart + size > this.options.limits.maxUnpackedBytes) throw this.overUnpacked({ name, size });
    const path = isRegularFile(header) ? repositoryPath(name) : undefined;
    let target: Buffer | undefined;
    if (isPax) {
      if (size > maxPaxBytes) throw new TarFormatError(`a pax header of the archive claims ${size} bytes, more than any path needs: the archive is not one GitHub made`);
      target = Buffer.alloc(size);
    } else if (path !== undefined && this.options.wanted(path)) {
      this.kept += size;
      if (this.kept > this.options.limits.maxKeptBytes) throw this.overKept(path);
      target = Buffer.allocUnsafeSlow(size);
    }
    this.state = { kind: "data", header, path, remaining: size, padding, filled: 0, ...(target ? { target } : {}) };
    if (size === 0) this.finishEntry(this.state);
  }

  private consumeData(state: Extract<State, { kind: "data" }>, chunk: Buffer, offset: number): number {
    const available = chunk.length - offset;
    if (state.remaining > 0) {
      const taken = Math.min(available, state.remaining);
      if (state.target) chunk.copy(state.target, state.filled, offset, offset + taken);
      state.filled += taken;
      state.remaining -= taken;
      if (state.remaining === 0) this.finishEntry(state);
      return taken;
    }
    const skipped = Math.min(available, state.padding);
    state.padding -= skipped;
    if (state.padding === 0) this.state = { kind: "header" };
    return skipped;
  }

  private finishEntry(state: Extract<State, { kind: "data" }>): void {
    if (state.header.type === "x" && state.target) this.pax = parsePax(state.target);
    else if (state.target && state.path !== undefined) this.entries.push({ path: state.path, content: state.target });
    if (state.padding === 0) this.state = { kind: "header" };
  }

  private overUnpacked(entry?: { name: string; size: number }): TarballLimitError {
    const { maxUnpackedBytes } = this.options.limits;
    const variable = tarballLimitVariables.maxUnpackedBytes;
    const what = entry
      ? `its entry ${entry.name} claims ${entry.size} bytes, which would take it past ${maxUnpackedBytes} bytes unpacked`
      : `it unpacks to more than ${maxUnpackedBytes} bytes`;
    return new TarballLimitError(
      "maxUnpackedBytes",
      maxUnpackedBytes,
      `Slipway stopped reading the repository archive: ${what}, the server's limit (${variable}). ` +
        `If the repository really is this large, raise ${variable} on the Slipway server.`,
    );
  }

  private overKept(path: string): TarballLimitError {
    const { maxKeptBytes } = this.options.limits;
    const variable = tarballLimitVariables.maxKeptBytes;
    return new TarballLimitError(
      "maxKeptBytes",
      maxKeptBytes,
      `Slipway stopped reading the repository archive at ${path}: the files under the environments' paths hold more than ` +
        `${maxKeptBytes} bytes, the server's limit (${variable}). Exclude files that are not manifests with \`exclude\` in ` +
        `.github/slipway.yml, or raise ${variable} on the Slipway server.`,
    );
  }
}

/** Regular files only: symlinks ("2"), hard links ("1"), directories and devices are never read. */
const isRegularFile = (header: TarHeader): boolean => header.type === "0" || header.type === "\0";

/**
 * The path inside the repository: GitHub's top directory removed. A path that is empty once it
 * is removed, or that has `.`, `..` or empty segments, is not one `git archive` writes: skipped.
 */
function repositoryPath(name: string): string | undefined {
  const segments = name.split("/").slice(1);
  if (segments.length === 0 || segments.some((segment) => segment === "" || segment === "." || segment === "..")) return undefined;
  return segments.join("/");
}
