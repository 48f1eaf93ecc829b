// GitHub serves repository tarballs made by `git archive`; the tests read archives made the same
// way, with a long path that needs a pax header.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readTarball } from "../../src/github/tarball.js";

const longDir = `deploy/${"very-long-directory-name-".repeat(6)}`;

function gitArchive(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "slipway-tar-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
  git("init", "-q");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git("add", "-A");
  git("commit", "-qm", "files");
  return git("archive", "--format=tar.gz", "--prefix=Codertocat-Hello-World-0123abc/", "HEAD");
}

describe("readTarball", () => {
  it("reads the files it wants from a git archive, long paths included, without the top directory", () => {
    const archive = gitArchive({
      "deploy/a.yaml": "a: 1\n",
      [`${longDir}/b.yaml`]: "b: 2\n",
      "README.md": "# no\n",
    });
    const entries = readTarball(archive, { wanted: (path) => path.startsWith("deploy/") });
    expect(entries.map((entry) => [entry.path, entry.content.toString()])).toEqual([
      ["deploy/a.yaml", "a: 1\n"],
      [`${longDir}/b.yaml`, "b: 2\n"],
    ]);
  });

  it("refuses an archive that unpacks to more than the limit", () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(() => readTarball(bomb, { wanted: () => true, maxUnpackedBytes: 1024 * 1024 })).toThrow(/could not be unpacked/);
  });

  it("refuses something that is not gzip at all", () => {
    expect(() => readTarball(Buffer.from("<html>not an archive</html>"), { wanted: () => true })).toThrow(/could not be unpacked/);
  });
});
