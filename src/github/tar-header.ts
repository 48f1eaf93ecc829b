// One 512-byte ustar header, and the pax extended-header records GitHub's archives (made by
// `git archive`) use for long paths. Only what reading an archive needs: name, size, type.
// https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_01

export const tarBlock = 512;

export interface TarHeader {
  /** The name the header itself holds (prefix and name joined); a pax `path` record overrides it. */
  name: string;
  /** Bytes of data that follow the header, before padding to a whole block. */
  size: number;
  /** The typeflag: "0" or "\0" regular file, "x" pax header for the next entry, "g" global pax header, ... */
  type: string;
}

export class TarFormatError extends Error {
  override readonly name = "TarFormatError";
}

/** The header in `block`, or undefined for an all-zero block (the end of the archive). */
export function parseTarHeader(block: Buffer, offset: number): TarHeader | undefined {
  if (block.every((byte) => byte === 0)) return undefined;
  if (!checksumMatches(block)) {
    throw new TarFormatError(`the header at byte ${offset} of the archive has a wrong checksum: this is not a tar archive, or it is corrupt`);
  }
  const size = parseNumber(block.subarray(124, 136));
  if (size === undefined) throw new TarFormatError(`the header at byte ${offset} of the archive has an unreadable size`);
  const name = field(block, 0, 100);
  const magic = field(block, 257, 6);
  const prefix = magic.startsWith("ustar") ? field(block, 345, 155) : "";
  return { name: prefix ? `${prefix}/${name}` : name, size, type: String.fromCharCode(block[156] ?? 0) };
}

/** Pax extended header records: "<length> <key>=<value>\n". */
export function parsePax(body: Buffer): Record<string, string> {
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

/** A pax `size` record, which overrides the header's (for files over 8 GiB). */
export function paxSize(records: Record<string, string>): number | undefined {
  const size = records.size;
  if (size === undefined) return undefined;
  if (!/^\d+$/.test(size)) throw new TarFormatError(`a pax header of the archive has an unreadable size ${JSON.stringify(size.slice(0, 40))}`);
  return Number(size);
}

const field = (header: Buffer, start: number, length: number): string => {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
};

/** Octal digits, or GNU's base-256 (high bit of the first byte set) for sizes over 8 GiB. */
function parseNumber(raw: Buffer): number | undefined {
  if (((raw[0] ?? 0) & 0x80) !== 0) {
    let value = (raw[0] ?? 0) & 0x7f;
    for (const byte of raw.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = raw.toString("ascii").replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

/** The sum of the header's bytes with the checksum field read as spaces (unsigned, or signed as some old tars wrote it). */
function checksumMatches(block: Buffer): boolean {
  const stored = parseNumber(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < tarBlock; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}
