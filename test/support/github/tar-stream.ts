// Hand-made tar archives for the tests of hostile input: headers with any name, size and type,
// and gzip'd streams of them made on the fly (a gigabyte of zeros never sits in memory).
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";

export interface TestTarEntry {
  name: string;
  /** Defaults to the content's length. */
  size?: number;
  /** Typeflag: "0" file (default), "1" hard link, "2" symlink, "3" character device, "5" directory, "x" pax. */
  type?: string;
  linkname?: string;
  content?: Buffer | string;
}

/** One 512-byte ustar header with a correct checksum. */
export function tarHeader(entry: TestTarEntry): Buffer {
  const header = Buffer.alloc(512);
  const size = entry.size ?? Buffer.byteLength(entry.content ?? "");
  header.write(entry.name, 0, 100, "utf8");
  header.write("0000644\0", 100, "ascii");
  header.write("0000000\0", 108, "ascii");
  header.write("0000000\0", 116, "ascii");
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  header.write("00000000000\0", 136, "ascii");
  header.write(entry.type ?? "0", 156, "ascii");
  header.write(entry.linkname ?? "", 157, 100, "utf8");
  header.write("ustar\0", 257, "ascii");
  header.write("00", 263, "ascii");
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return header;
}

/** A whole entry: header, content, padding to a block. */
export function tarEntry(entry: TestTarEntry): Buffer {
  const content = Buffer.from(entry.content ?? "");
  const padding = (512 - (content.length % 512)) % 512;
  return Buffer.concat([tarHeader(entry), content, Buffer.alloc(padding)]);
}

/** The end-of-archive marker: two zero blocks. */
export const tarEnd = (): Buffer => Buffer.alloc(1024);

/** A pax header giving the next entry a long path. */
export function paxPath(path: string): Buffer {
  let record = ` path=${path}\n`;
  let length = record.length + String(record.length).length;
  if (String(length).length !== String(record.length).length) length += 1;
  record = `${length}${record}`;
  return tarEntry({ name: "PaxHeader/x", type: "x", content: record });
}

/** Gzip'd, as a stream: `parts` may yield a gigabyte, the output is what zlib makes of it. */
export function gzipStream(parts: Iterable<Buffer> | AsyncIterable<Buffer>): Readable {
  return Readable.from(parts).pipe(createGzip({ level: 1 }));
}

/** All of a stream's bytes (the compressed side of a bomb is small). */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `total` bytes of zeros, a MiB at a time. */
export function* zeros(total: number): Generator<Buffer> {
  const mib = Buffer.alloc(1024 * 1024);
  for (let left = total; left > 0; left -= mib.length) yield left >= mib.length ? mib : mib.subarray(0, left);
}

/** `bytes` served in chunks of `size`, as a download arrives. */
export function chunked(bytes: Buffer, size: number): Readable {
  return Readable.from((function* () {
    for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
  })());
}
