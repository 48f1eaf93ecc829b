// GitHub serves repository tarballs made by `git archive`; the tests read archives made the same
// way (with a long path that needs a pax header, and a symlink), streamed in small chunks as a
// download arrives, and hand-made hostile ones: a gzip bomb, a header claiming gigabytes, entries
// that are not regular files, archives cut short or not gzip at all.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { defaultTarballLimits, type TarballLimits } from "../../src/config/server.js";
import { readTarball, TarballLimitError, TarFormatError, type TarballSource } from "../../src/github/tarball.js";
import { chunked, collect, gzipStream, paxPath, tarEnd, tarEntry, tarHeader, zeros } from "../support/github/tar-stream.js";

const longDir = `deploy/${"very-long-directory-name-".repeat(6)}`;
const top = "Codertocat-Hello-World-0123abc";
const MiB = 1024 * 1024;

function gitArchive(files: Record<string, string>, symlinks: Record<string, string> = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "slipway-tar-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
  git("init", "-q");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(symlinks)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
  git("add", "-A");
  git("commit", "-qm", "files");
  return git("archive", "--format=tar.gz", `--prefix=${top}/`, "HEAD");
}

const read = (source: TarballSource, options: { wanted?: (path: string) => boolean; limits?: Partial<TarballLimits> } = {}) =>
  readTarball(source, { wanted: options.wanted ?? (() => true), limits: { ...defaultTarballLimits, ...options.limits } });

const asText = (entries: Array<{ path: string; content: Buffer }>) => entries.map((entry) => [entry.path, entry.content.toString()]);

describe("readTarball: archives made by git archive", () => {
  const files = { "deploy/a.yaml": "a: 1\n", [`${longDir}/b.yaml`]: "b: 2\n", "README.md": "# no\n" };

  it("reads the files it wants, long paths included, without the top directory", async () => {
    const entries = await read(gitArchive(files), { wanted: (path) => path.startsWith("deploy/") });
    expect(asText(entries)).toEqual([
      ["deploy/a.yaml", "a: 1\n"],
      [`${longDir}/b.yaml`, "b: 2\n"],
    ]);
  });

  it.each([1, 7, 511, 513, 4096])("reads the same when the download arrives in chunks of %i bytes", async (size) => {
    const entries = await read(chunked(gitArchive(files), size), { wanted: (path) => path.startsWith("deploy/") });
    expect(entries.map((entry) => entry.path)).toEqual(["deploy/a.yaml", `${longDir}/b.yaml`]);
  });

  it("reads a web ReadableStream, as fetch returns the body", async () => {
    const archive = gitArchive(files);
    const entries = await read(Readable.toWeb(chunked(archive, 100)) as ReadableStream<Uint8Array>);
    expect(entries.map((entry) => entry.path).sort()).toEqual(["README.md", "deploy/a.yaml", `${longDir}/b.yaml`]);
  });

  it("skips a symlink, never following it, even to a file it wants", async () => {
    const archive = gitArchive({ "deploy/a.yaml": "a: 1\n" }, { "deploy/link.yaml": "a.yaml", "deploy/passwd.yaml": "/etc/passwd" });
    const entries = await read(archive);
    expect(asText(entries)).toEqual([["deploy/a.yaml", "a: 1\n"]]);
  });
});

describe("readTarball: entries that are not regular files, or odd paths", () => {
  const archive = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, tarEnd()]));

  it("keeps only regular files, with repository paths", async () => {
    const entries = await read(
      archive(
        tarEntry({ name: `${top}/deploy/`, type: "5" }),
        tarEntry({ name: `${top}/deploy/hard.yaml`, type: "1", linkname: `${top}/deploy/a.yaml` }),
        tarEntry({ name: `${top}/deploy/sym.yaml`, type: "2", linkname: "/etc/passwd" }),
        tarEntry({ name: `${top}/deploy/tty.yaml`, type: "3" }),
        tarEntry({ name: `${top}/deploy/../../escape.yaml`, content: "no" }),
        tarEntry({ name: `${top}//absolute.yaml`, content: "no" }),
        tarEntry({ name: `${top}`, content: "no" }),
        tarEntry({ name: `${top}/deploy/a.yaml`, content: "a: 1\n" }),
        tarEntry({ name: `${top}/deploy/old-style.yaml`, type: "\0", content: "b: 2\n" }),
      ),
    );
    expect(asText(entries)).toEqual([
      ["deploy/a.yaml", "a: 1\n"],
      ["deploy/old-style.yaml", "b: 2\n"],
    ]);
  });

  it("takes the path of a pax header, for the next entry only", async () => {
    const entries = await read(archive(paxPath(`${top}/deploy/long.yaml`), tarEntry({ name: "truncated", content: "x" }), tarEntry({ name: `${top}/next.yaml`, content: "y" })));
    expect(asText(entries)).toEqual([
      ["deploy/long.yaml", "x"],
      ["next.yaml", "y"],
    ]);
  });
});

describe("readTarball: caps", () => {
  const entriesOfZeros = function* () {
    // 16 entries of 64 MiB of zeros: no header claims more than the cap on its own.
    for (let index = 0; index < 16; index++) {
      yield tarHeader({ name: `${top}/assets/zeros-${index}.bin`, size: 64 * MiB });
      yield* zeros(64 * MiB);
    }
    yield tarEnd();
  };
  it.each<[string, () => Iterable<Buffer>, RegExp]>([
    // The first zero block ends the archive; the zeros after it are still inflated (and counted) until the cap.
    ["1 GiB of zeros", () => zeros(1024 * MiB), /it unpacks to more than 536870912 bytes, the server's limit \(SLIPWAY_TARBALL_MAX_BYTES\)\. If the repository really is this large, raise SLIPWAY_TARBALL_MAX_BYTES/],
    ["16 files of 64 MiB of zeros", entriesOfZeros, /its entry Codertocat-Hello-World-0123abc\/assets\/zeros-7.bin claims 67108864 bytes, which would take it past 536870912 bytes unpacked/],
  ])("stops a gzip bomb (%s) at the unpacked cap, with memory bounded", async (name, parts, message) => {
    const bomb = await collect(gzipStream(parts()));
    expect(bomb.length).toBeLessThan(8 * MiB);

    global.gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const started = performance.now();
    const error = await read(chunked(bomb, 64 * 1024), { wanted: (path) => path.startsWith("deploy/"), limits: { maxUnpackedBytes: 512 * MiB } }).catch(
      (caught: unknown) => caught,
    );
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());

    expect(error).toBeInstanceOf(TarballLimitError);
    expect(error).toMatchObject({ cap: "maxUnpackedBytes", limit: 512 * MiB });
    expect((error as Error).message).toMatch(message);
    const growthMiB = (peak - before) / MiB;
    console.log(`gzip bomb (${name}, ${(bomb.length / MiB).toFixed(1)} MiB gzip'd): stopped at the 512 MiB cap in ${Math.round(performance.now() - started)} ms; RSS grew by ${growthMiB.toFixed(1)} MiB at most`);
    expect(growthMiB).toBeLessThan(64);
  });

  it("refuses a header that claims more than the cap before inflating its data", async () => {
    // A wanted file claiming 8 GiB - 1 (the largest octal size), followed by a little data.
    const claim = gzipSync(Buffer.concat([tarHeader({ name: `${top}/deploy/huge.yaml`, size: 8 * 1024 ** 3 - 1 }), Buffer.alloc(MiB)]));
    const error = await read(claim).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ cap: "maxUnpackedBytes" });
    expect((error as Error).message).toContain("its entry Codertocat-Hello-World-0123abc/deploy/huge.yaml claims 8589934591 bytes");
  });

  it("stops at the cap on bytes kept, naming the file and how to raise it", async () => {
    const files = Array.from({ length: 4 }, (_, index) => tarEntry({ name: `${top}/deploy/${index}.yaml`, content: Buffer.alloc(3 * MiB, "a") }));
    const error = await read(gzipSync(Buffer.concat([...files, tarEnd()])), { wanted: (path) => path.startsWith("deploy/"), limits: { maxKeptBytes: 8 * MiB } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ cap: "maxKeptBytes", limit: 8 * MiB });
    expect((error as Error).message).toBe(
      "Slipway stopped reading the repository archive at deploy/2.yaml: the files under the environments' paths hold more than 8388608 bytes, " +
        "the server's limit (SLIPWAY_TARBALL_MAX_MANIFEST_BYTES). Exclude files that are not manifests with `exclude` in .github/slipway.yml, " +
        "or raise SLIPWAY_TARBALL_MAX_MANIFEST_BYTES on the Slipway server.",
    );
  });

  it("counts only the files it keeps against the kept cap", async () => {
    const files = Array.from({ length: 4 }, (_, index) => tarEntry({ name: `${top}/assets/${index}.bin`, content: Buffer.alloc(3 * MiB) }));
    const wanted = tarEntry({ name: `${top}/deploy/a.yaml`, content: "a: 1\n" });
    const entries = await read(gzipSync(Buffer.concat([...files, wanted, tarEnd()])), { wanted: (path) => path.startsWith("deploy/"), limits: { maxKeptBytes: 8 * MiB } });
    expect(entries.map((entry) => entry.path)).toEqual(["deploy/a.yaml"]);
  });

  it("aborts the download once a cap is passed: the rest is never read", async () => {
    let sent = 0;
    let closed = false;
    // A download of endless zeros in one huge entry, gzip'd as it is sent.
    const endless = function* () {
      yield tarHeader({ name: `${top}/assets/a.bin`, size: 8 * 1024 ** 3 - 1 - 1024 });
      for (;;) yield Buffer.alloc(64 * 1024);
    };
    const download = Readable.from(
      (async function* () {
        try {
          for await (const chunk of gzipStream(endless())) {
            sent += 1;
            yield chunk as Buffer;
          }
        } finally {
          closed = true;
        }
      })(),
    );
    const error = await read(download, { limits: { maxUnpackedBytes: 16 * MiB } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ cap: "maxUnpackedBytes" });
    await vi.waitFor(() => expect(closed).toBe(true));
    expect(sent).toBeLessThan(1000);
  });
});

describe("readTarball: broken archives fail cleanly", () => {
  // Random bytes do not compress: a cut in the gzip data is a cut in the file.
  const good = () => gzipSync(Buffer.concat([tarEntry({ name: `${top}/deploy/a.bin`, content: randomBytes(8192) }), tarEnd()]));

  it.each<[string, () => Buffer, RegExp]>([
    ["something that is not gzip at all", () => Buffer.from("<html>not an archive</html>"), /could not be unpacked \(not gzip data, or corrupt or cut short\): incorrect header check/],
    ["a download cut short", () => good().subarray(0, 4000), /could not be unpacked .*unexpected end of file/],
    ["gzip'd data that is not tar", () => gzipSync(Buffer.alloc(2048, "x")), /the header at byte 0 of the archive has a wrong checksum/],
    ["an archive that ends inside a file", () => gzipSync(tarEntry({ name: `${top}/deploy/a.yaml`, content: "a: 1\n".repeat(1000) }).subarray(0, 1500)), /ended in the middle of deploy\/a.yaml before its end-of-archive marker/],
    ["an archive without its end marker", () => gzipSync(tarEntry({ name: `${top}/deploy/a.yaml`, content: "a" })), /ended before its end-of-archive marker/],
  ])("%s", async (_name, archive, message) => {
    const error = await read(archive()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TarFormatError);
    expect((error as Error).message).toMatch(message);
  });
});
