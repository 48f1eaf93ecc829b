// Reads the repository tarball GitHub serves for a commit (gzip'd ustar with pax headers), in one
// request instead of one per file. The archive is unpacked in memory, with its unpacked size
// capped so a hostile repository cannot exhaust the server; only the files `wanted` accepts are
// copied out of it.
import { gunzipSync } from "node:zlib";

export interface TarEntry {
  /** Path inside the repository (GitHub's top-level `owner-repo-sha/` directory removed). */
  path: string;
  content: Buffer;
}

export interface ReadTarballOptions {
  wanted: (path: string) => boolean;
  /** Refuse archives that unpack to more than this (default 512 MiB). */
  maxUnpackedBytes?: number;
}

const block = 512;

export function readTarball(gzipped: Buffer, options: ReadTarballOptions): TarEntry[] {
  const maxOutputLength = options.maxUnpackedBytes ?? 512 * 1024 * 1024;
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped, { maxOutputLength });
  } catch (error) {
    throw new Error(`the repository archive could not be unpacked (over ${maxOutputLength} bytes, or corrupt): ${(error as Error).message}`);
  }
  const entries: TarEntry[] = [];
  let pax: Record<string, string> = {};
  for (let offset = 0; offset + block <= tar.length; ) {
    const header = tar.subarray(offset, offset + block);
    if (header.every((byte) => byte === 0)) break;
    const size = parseOctal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(offset + block, offset + block + size);
    offset += block + Math.ceil(size / block) * block;
    if (type === "x") {
      pax = parsePax(body);
      continue;
    }
    const name = pax.path ?? joinName(field(header, 345, 155), field(header, 0, 100));
    pax = {};
    if (type !== "0" && type !== "\0") continue;
    const path = name.split("/").slice(1).join("/");
    if (path && options.wanted(path)) entries.push({ path, content: Buffer.from(body) });
  }
  return entries;
}

const field = (header: Buffer, start: number, length: number): string => {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
};

const joinName = (prefix: string, name: string): string => (prefix ? `${prefix}/${name}` : name);

function parseOctal(raw: Buffer): number {
  const text = raw.toString("ascii").replace(/\0.*$/s, "").trim();
  return text ? parseInt(text, 8) : 0;
}

/** Pax extended header records: "<length> <key>=<value>\n". */
function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(body.subarray(offset, space).toString("ascii"), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, offset + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}
