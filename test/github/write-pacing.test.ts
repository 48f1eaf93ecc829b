// The pacing of GitHub writes: a burst at once after a quiet spell, then one per interval, first
// come first served, per installation; the throttling plugin's retries (weight 0) spend nothing.
// And the Octokit defaults that hand it to @octokit/plugin-throttling.
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withWritePacing } from "../../src/github/octokit.js";
import { createWritePacing, type WritePacing } from "../../src/github/write-pacing.js";
import { mockGitHub } from "../support/github/nock.js";

describe("createWritePacing", () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  /** Schedules `count` writes on `key` and records when each started. */
  function writes(pacing: ReturnType<typeof createWritePacing>, key: string, count: number, weight?: number): number[] {
    const started: number[] = [];
    for (let index = 0; index < count; index++) void pacing.key(key).schedule(weight === undefined ? {} : { weight }, () => started.push(Date.now()));
    return started;
  }

  it("lets a burst go at once, then one write per interval, in order", async () => {
    const pacing = createWritePacing({ burst: 3, intervalMs: 1000 });
    const started = writes(pacing, "1", 5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toEqual([0, 0, 0, 1000, 2000]);
  });

  it("refills the burst over a quiet spell, up to its size", async () => {
    const pacing = createWritePacing({ burst: 3, intervalMs: 1000 });
    writes(pacing, "1", 3);
    await vi.advanceTimersByTimeAsync(10_000);
    const started = writes(pacing, "1", 4);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toEqual([10_000, 10_000, 10_000, 11_000]);
  });

  it("paces each installation on its own, and spends nothing on a retry", async () => {
    const pacing = createWritePacing({ burst: 1, intervalMs: 1000 });
    const first = writes(pacing, "1", 2);
    const other = writes(pacing, "2", 1);
    const retries = writes(pacing, "2", 2, 0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(first).toEqual([0, 1000]);
    expect([...other, ...retries]).toEqual([0, 0, 0]);
  });

  it("passes on what the task returns or throws", async () => {
    const limiter = createWritePacing().key("1");
    await expect(limiter.schedule({}, () => 42)).resolves.toBe(42);
    await expect(limiter.schedule({}, () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
  });
});

describe("withWritePacing", () => {
  const pacing = createWritePacing();

  it("puts the pacing in the throttling options as the plugin's write group", () => {
    expect(withWritePacing(pacing)({ throttle: { id: "7", enabled: true } })).toEqual({ throttle: { id: "7", enabled: true, write: pacing } });
  });

  it("leaves throttling that is off, or shared through Redis, as it is", () => {
    const off = { throttle: { enabled: false } };
    const clustered = { throttle: { connection: {} } };
    expect(withWritePacing(pacing)(off)).toBe(off);
    expect(withWritePacing(pacing)(clustered)).toBe(clustered);
  });
});

describe("ProbotOctokit with the pacing", () => {
  it("asks it, not the plugin's own write group, before each write of the installation", async () => {
    const github = mockGitHub();
    github.post("/repos/o/r/check-runs").times(2).reply(201, { id: 1 });
    github.get("/repos/o/r/branches/main").reply(200, { name: "main", commit: { sha: "a".repeat(40) } });
    const asked: string[] = [];
    const spy: WritePacing = { key: (id) => ({ schedule: (_options, task) => (asked.push(id), Promise.resolve().then(task)) }) };
    const Octokit = ProbotOctokit.defaults(withWritePacing(spy));
    const octokit = new Octokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { id: "42", onRateLimit: () => false, onSecondaryRateLimit: () => false } });

    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) });
    await octokit.rest.repos.getBranch({ owner: "o", repo: "r", branch: "main" });
    await octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) });

    github.done();
    // Two writes, under the installation's id; the read is not paced.
    expect(asked).toEqual(["42", "42"]);
  });
});
