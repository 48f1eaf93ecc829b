// mockGitHub() must turn every kind of bad GitHub traffic into a failed test, even when the code
// under test catches the error. `createGitHubMock` lets these tests look at the failure itself.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { anyNumberOfTimes, createGitHubMock, mockGitHub } from "../support/github/nock.js";

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`https://api.github.com${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("mockGitHub", () => {
  it("answers a valid request and records it with its operation", async () => {
    const github = mockGitHub();
    github.patch("/repos/o/r/issues/comments/42").reply(200, { id: 42 });

    const response = await fetch("https://api.github.com/repos/o/r/issues/comments/42", {
      method: "PATCH",
      body: JSON.stringify({ body: "updated" }),
    });

    expect(response.status).toBe(200);
    github.done();
    expect(github.requests).toEqual([
      { method: "PATCH", path: "/repos/o/r/issues/comments/42", body: { body: "updated" }, operationId: "issues/update-comment" },
    ]);
  });

  it("fails the call and the test when a request breaks the schema, though an interceptor matched", async () => {
    const { github, finish } = createGitHubMock();
    github.post("/repos/o/r/check-runs").reply(201, { id: 1 });

    await expect(post("/repos/o/r/check-runs", { head_sha: "abc", conclusion: "great" })).rejects.toThrow(
      /body must have required property 'name'/,
    );

    expect(() => finish()).toThrow(/POST \/repos\/o\/r\/check-runs \(checks\/create\) does not match[\s\S]*conclusion/);
  });

  it("fails the test on a request no interceptor matches, even if the caller swallows the error", async () => {
    const { github, finish } = createGitHubMock();
    github.get("/repos/o/r").reply(200, {});

    await fetch("https://api.github.com/repos/o/r/pulls/1").catch(() => undefined);

    expect(() => finish()).toThrow(/unexpected request GET https:\/\/api.github.com\/repos\/o\/r\/pulls\/1: no interceptor matches it/);
  });

  it("refuses connections to other hosts but not to loopback", async () => {
    const { finish } = createGitHubMock();

    await expect(fetch("https://uploads.github.com/x")).rejects.toThrow();
    // Port 9 (discard) is closed: the connection is attempted and refused, not blocked by nock.
    await expect(fetch("http://127.0.0.1:9/")).rejects.toThrow(/fetch failed/);

    expect(() => finish()).toThrow(/unexpected request GET https:\/\/uploads.github.com\/x/);
  });

  it("reports interceptors that were never used", () => {
    const { github, finish } = createGitHubMock();
    github.get("/repos/o/r/pulls/1").reply(200, {});

    expect(() => github.assertNoPendingMocks()).toThrow(/GitHub interceptors never called:\n {2}- GET https:\/\/api.github.com:443\/repos\/o\/r\/pulls\/1/);
    finish();
  });

  it("refuses persist(), which would make every interceptor of the scope answer forever", () => {
    const { github, finish } = createGitHubMock();

    expect(() => github.persist()).toThrow(/anyNumberOfTimes/);
    finish();
  });

  it("answers any number of requests with anyNumberOfTimes, requires none, and leaves the other interceptors one-shot", async () => {
    const { github, finish } = createGitHubMock();
    anyNumberOfTimes(github.get("/repos/o/r/check-runs/1")).reply(200, { id: 1 });
    anyNumberOfTimes(github.get("/repos/o/r/check-runs/2")).reply(200, { id: 2 });
    github.get("/repos/o/r/branches/main").reply(200, { name: "main", commit: { sha: "a".repeat(40) } });
    github.get("/repos/o/r/branches/main").reply(200, { name: "main", commit: { sha: "b".repeat(40) } });

    const read = async (path: string): Promise<unknown> => (await fetch(`https://api.github.com${path}`)).json();
    expect([await read("/repos/o/r/check-runs/1"), await read("/repos/o/r/check-runs/1"), await read("/repos/o/r/check-runs/1")]).toEqual([{ id: 1 }, { id: 1 }, { id: 1 }]);
    expect([await read("/repos/o/r/branches/main"), await read("/repos/o/r/branches/main")]).toEqual([
      { name: "main", commit: { sha: "a".repeat(40) } },
      { name: "main", commit: { sha: "b".repeat(40) } },
    ]);
    github.done();
    await fetch("https://api.github.com/repos/o/r/branches/main").catch(() => undefined);

    expect(() => finish()).toThrow(/unexpected request GET https:\/\/api.github.com\/repos\/o\/r\/branches\/main/);
  });

  it("restores nock when finished, so the next test starts clean", () => {
    const listeners = nock.emitter.listenerCount("no match");
    const { github, finish } = createGitHubMock();
    github.get("/repos/o/r").reply(200, {});

    finish();

    expect(nock.pendingMocks()).toEqual([]);
    expect(nock.emitter.listenerCount("no match")).toBe(listeners);
    expect(() => createGitHubMock().finish()).not.toThrow();
  });

  // The runner-level guarantee: nothing in the body fails, the hook mockGitHub registered does.
  it.fails("fails a test whose code swallowed an unexpected request", async () => {
    mockGitHub();
    await fetch("https://api.github.com/repos/o/r").catch(() => undefined);
  });
});
