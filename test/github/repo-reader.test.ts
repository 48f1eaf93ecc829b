// Reading a commit's files through Probot's Octokit, as the app does: the tarball's body arrives as
// a stream (nock sends it in chunks) and is unpacked as it comes, within the caps.
import type { Readable } from "node:stream";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { defaultTarballLimits } from "../../src/config/server.js";
import { readEnvironmentAt, readFilesAt } from "../../src/github/repo-reader.js";
import { TarballLimitError } from "../../src/github/tarball.js";
import { mockGitHub } from "../support/github/nock.js";
import { gitTarball } from "../support/github/pull-request-fixture.js";
import { chunked, gzipStream } from "../support/github/tar-stream.js";

const owner = "Codertocat";
const repo = "Hello-World";
const sha = "c".repeat(40);
const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });

describe("reading a commit's files from its tarball", () => {
  it("reads an environment's manifests from the streamed body, in one request", async () => {
    const github = mockGitHub();
    const archive = gitTarball({ "deploy/a.yaml": "a: 1\n", "deploy/kustomization.yaml": "k: 1\n", "docs/b.yaml": "b: 2\n" });
    github.get(`/repos/${owner}/${repo}/tarball/${sha}`).reply(200, () => chunked(archive, 100), { "content-type": "application/x-gzip" });
    const files = await readEnvironmentAt(octokit(), { owner, repo, sha, environment: { name: "staging", namespace: "default", paths: ["deploy/**"], exclude: ["**/kustomization.yaml"] } });
    expect(files.map((file) => [file.path, file.content.toString()])).toEqual([["deploy/a.yaml", "a: 1\n"]]);
    github.done();
  });

  it("stops the download of an endless archive at the cap, with an error that names it", async () => {
    const github = mockGitHub();
    let sent = 0;
    // Zeros without end: the archive ends at the first zero block, and what follows is still counted.
    const endless = function* () {
      for (;;) {
        sent += 1;
        yield Buffer.alloc(64 * 1024);
      }
    };
    github.get(`/repos/${owner}/${repo}/tarball/${sha}`).reply(200, (): Readable => gzipStream(endless()), { "content-type": "application/x-gzip" });
    const error = await readFilesAt(octokit(), { owner, repo, sha, wanted: () => true, limits: { ...defaultTarballLimits, maxUnpackedBytes: 8 * 1024 * 1024 } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TarballLimitError);
    expect((error as Error).message).toMatch(/it unpacks to more than 8388608 bytes, the server's limit \(SLIPWAY_TARBALL_MAX_BYTES\)/);
    // Read no further than the cap and what was in flight.
    expect(sent * 64 * 1024).toBeLessThan(64 * 1024 * 1024);
  });

  it("stops reading a download that is still coming when the server shuts down", async () => {
    const github = mockGitHub();
    let sent = 0;
    // A slow archive without end: a block now and then, as a stalled download would send.
    const slow = async function* () {
      for (;;) {
        sent += 1;
        yield Buffer.alloc(1024);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    github.get(`/repos/${owner}/${repo}/tarball/${sha}`).reply(200, (): Readable => gzipStream(slow()), { "content-type": "application/x-gzip" });
    const shutdown = new AbortController();
    setTimeout(() => shutdown.abort(new Error("the Slipway server is shutting down")), 300);
    const started = Date.now();
    const error = await readFilesAt(octokit(), { owner, repo, sha, wanted: () => true, signal: shutdown.signal }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("the Slipway server is shutting down");
    // Stopped when the signal fired, not at a cap or the end (there is none).
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(sent).toBeGreaterThan(1);
  });
});
