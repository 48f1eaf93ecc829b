// The revert pull request's conversation with GitHub, every request checked against GitHub's
// OpenAPI description by the nock harness: what it reads, the tree, commit, branch and pull
// request it writes, and what it answers instead when it must not or cannot write.
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { openRevertPullRequest } from "../../src/github/revert-pull-request.js";
import { renderRevertOutcome } from "../../src/render/canary-revert.js";
import { mockGitHub } from "../support/github/nock.js";
import { bodiesOf, blobSha } from "../support/github/pull-request-fixture.js";
import { interceptContentsReadOnly, interceptExistingRevert, interceptMergeCommit, interceptRevertLookups, interceptRevertWrites, revertBranch, type RevertFixture } from "../support/github/revert-fixture.js";
import { aCanary, aCheck, aLatency, aSuccessRate } from "../render/canary-builders.js";

const web = (image: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;
const fixture: RevertFixture = {
  owner: "acme",
  repo: "deploy",
  branch: "main",
  merge: "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b",
  parent: "1".repeat(40),
  head: "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b",
  pullRequest: { number: 42, title: "Roll web out to v2" },
  parentFiles: { "deploy/web.yaml": web("web:v1"), "deploy/old.yaml": "kind: ConfigMap\n", "README.md": "# deploy\n" },
  mergeFiles: { "deploy/web.yaml": web("web:v2"), "deploy/new.yaml": "kind: Secret\n", "README.md": "# deploy\n" },
};
const failing = aCheck(1, { verdict: "fail", metrics: [aSuccessRate({ value: 91.2, verdict: "fail" }), aLatency()] });
const state = aCanary({ phase: "failed", weight: 0, failedChecks: 2, checks: [failing], commit: fixture.merge, checkRun: { id: 55, url: "https://github.com/acme/deploy/runs/55", completed: true } });
const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } });
const revert = () => openRevertPullRequest(octokit(), { repo: { owner: "acme", repo: "deploy" }, state, by: "alice" });
const writes = (github: ReturnType<typeof mockGitHub>) => github.requests.filter((request) => request.method === "POST").map((request) => request.operationId);

describe("openRevertPullRequest", () => {
  it("reverts the merge on the branch's head: each changed file back to its parent's blob, an added one deleted", async () => {
    const github = mockGitHub();
    interceptRevertLookups(github, fixture);
    interceptRevertWrites(github, fixture, { opened: 77 });

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "opened", branch: "slipway/revert-9f2c4e1", paths: ["deploy/new.yaml", "deploy/old.yaml", "deploy/web.yaml"], pullRequest: { number: 77, url: "https://github.com/acme/deploy/pull/77" } });
    expect(writes(github)).toEqual(["git/create-tree", "git/create-commit", "git/create-ref", "pulls/create"]);
    const [tree] = bodiesOf(github, "POST", /git\/trees$/) as Array<{ base_tree: string; tree: unknown[] }>;
    expect(tree?.tree).toEqual([
      { path: "deploy/new.yaml", mode: "100644", type: "blob", sha: null },
      { path: "deploy/old.yaml", mode: "100644", type: "blob", sha: blobSha("kind: ConfigMap\n") },
      { path: "deploy/web.yaml", mode: "100644", type: "blob", sha: blobSha(web("web:v1")) },
    ]);
    const [commit] = bodiesOf(github, "POST", /git\/commits$/) as Array<{ message: string; tree: string; parents: string[] }>;
    expect(commit).toMatchObject({ tree: "7".repeat(40), parents: [fixture.head] });
    expect(commit?.message).toMatch(/^Revert "Roll web out to v2"\n\nThis reverts commit 9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b \(pull request #42\)\.\n\nIts canary of Deployment\/apps\/web in production failed: rolled back after 2 failed checks: success rate 91\.2 % < 99 %\./);
    expect(bodiesOf(github, "POST", /git\/refs$/)).toEqual([{ ref: "refs/heads/slipway/revert-9f2c4e1", sha: "8".repeat(40) }]);
    const [pull] = bodiesOf(github, "POST", /pulls$/) as Array<{ title: string; head: string; base: string; body: string }>;
    expect(pull).toMatchObject({ title: 'Revert "Roll web out to v2"', head: "slipway/revert-9f2c4e1", base: "main" });
    expect(pull?.body).toContain("Reverts #42 (commit `9f2c4e1`)");
    expect(pull?.body).toContain("[The failed check run](https://github.com/acme/deploy/runs/55)");
    expect(pull?.body).toContain("failed: rolled back after 2 failed checks: success rate 91.2 % &lt; 99 %.");
    expect(pull?.body).toContain("- `deploy/web.yaml`");
    expect(renderRevertOutcome(outcome, { state })).toMatch(/^Opened #77: it reverts `9f2c4e1` on `main`, putting back 3 paths/);
  });

  it("builds on a head that moved on since the merge, when the later commits changed other files", async () => {
    const github = mockGitHub();
    const later = { ...fixture, head: "2".repeat(40), headFiles: { ...fixture.mergeFiles, "README.md": "# deploy, later\n" } };
    interceptRevertLookups(github, later);
    interceptRevertWrites(github, later);

    expect(await revert()).toMatchObject({ kind: "opened" });

    github.done();
    const [tree] = bodiesOf(github, "POST", /git\/trees$/) as Array<{ base_tree: string; tree: Array<{ path: string }> }>;
    expect(tree?.tree.map((entry) => entry.path)).toEqual(["deploy/new.yaml", "deploy/old.yaml", "deploy/web.yaml"]);
    expect(bodiesOf(github, "POST", /git\/commits$/)).toEqual([expect.objectContaining({ parents: ["2".repeat(40)] })]);
  });

  it("writes nothing and names the file when a later commit changed one the merge changed", async () => {
    const github = mockGitHub();
    const later = { ...fixture, head: "2".repeat(40), headFiles: { ...fixture.mergeFiles, "deploy/web.yaml": web("web:v2.1") } };
    interceptRevertLookups(github, later);

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "changed-since", paths: ["deploy/web.yaml"], head: "2".repeat(40) });
    expect(writes(github)).toEqual([]);
    const reply = renderRevertOutcome(outcome, { state });
    expect(reply).toContain("- `deploy/web.yaml`");
    expect(reply).toContain("Revert it by hand (`git revert 9f2c4e1`");
  });

  it("links an open revert pull request instead of making another", async () => {
    const github = mockGitHub();
    interceptMergeCommit(github, fixture);
    interceptExistingRevert(github, fixture, { pullRequest: 77 });

    const outcome = await revert();

    github.done();
    expect(outcome).toMatchObject({ kind: "exists", pullRequest: { number: 77 } });
    expect(writes(github)).toEqual([]);
    expect(renderRevertOutcome(outcome, { state })).toBe("A revert of `9f2c4e1` is already open: #77.");
  });

  it("links the revert's branch when it is there without an open pull request", async () => {
    const github = mockGitHub();
    interceptMergeCommit(github, fixture);
    interceptExistingRevert(github, fixture, { branch: true });

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "exists", branch: revertBranch(fixture), compareUrl: "https://github.com/acme/deploy/compare/main...slipway/revert-9f2c4e1" });
    expect(renderRevertOutcome(outcome, { state })).toContain("[open a pull request from it](https://github.com/acme/deploy/compare/main...slipway/revert-9f2c4e1)");
  });

  it("says which permission the app lacks when GitHub refuses the first write, and that nothing was written", async () => {
    const github = mockGitHub();
    interceptRevertLookups(github, fixture);
    interceptContentsReadOnly(github, fixture);

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "missing-permission", permission: "contents=write", status: 403 });
    const reply = renderRevertOutcome(outcome, { state });
    expect(reply).toContain("GitHub answered 403 because the Slipway GitHub App lacks the permission `contents: write` on this repository. Nothing was written.");
    expect(reply).toContain("`pull_requests: write`");
  });

  it("says the branch holds the revert when only the pull request is refused", async () => {
    const github = mockGitHub();
    interceptRevertLookups(github, fixture);
    interceptRevertWrites(github, fixture, { refusePullRequest: 403 });

    const outcome = await revert();

    github.done();
    expect(outcome).toMatchObject({ kind: "missing-permission", permission: "pull_requests=write", branch: "slipway/revert-9f2c4e1" });
    expect(renderRevertOutcome(outcome, { state })).toContain("lacks the permission `pull_requests: write` on this repository. The branch `slipway/revert-9f2c4e1` holds the revert");
  });

  it("answers a branch made meanwhile by another request as there already", async () => {
    const github = mockGitHub();
    interceptRevertLookups(github, fixture);
    github.post("/repos/acme/deploy/git/trees").reply(201, { sha: "7".repeat(40) });
    github.post("/repos/acme/deploy/git/commits").reply(201, { sha: "8".repeat(40) });
    github.post("/repos/acme/deploy/git/refs").reply(422, { message: "Reference already exists", documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference" });

    expect(await revert()).toMatchObject({ kind: "exists", branch: "slipway/revert-9f2c4e1" });
    github.done();
  });

  it("refuses a rebase merge, whose earlier commits the merge commit alone would not revert", async () => {
    const github = mockGitHub();
    const rebased = { ...fixture, pullRequest: { ...fixture.pullRequest, commits: 3 } };
    interceptMergeCommit(github, rebased);
    interceptExistingRevert(github, rebased);
    github.get("/repos/acme/deploy/pulls/42").reply(200, { number: 42, title: rebased.pullRequest.title, commits: 3 });
    github.get(`/repos/acme/deploy/commits/${fixture.parent}/pulls`).query({ per_page: 100 }).reply(200, [{ number: 42 }]);

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "rebase-merge", commits: 3 });
    expect(renderRevertOutcome(outcome, { state })).toContain("git revert <its first commit>^..9f2c4e1");
  });

  it("refuses a merge with more files than GitHub's compare lists", async () => {
    const github = mockGitHub();
    interceptMergeCommit(github, fixture);
    interceptExistingRevert(github, fixture);
    github.get("/repos/acme/deploy/pulls/42").reply(200, { number: 42, title: fixture.pullRequest.title, commits: 1 });
    const files = Array.from({ length: 300 }, (_, index) => ({ filename: `deploy/${index}.yaml`, status: "added", sha: "3".repeat(40) }));
    github.get(`/repos/acme/deploy/compare/${fixture.parent}...${fixture.merge}`).query({ per_page: 1 }).reply(200, { files, base_commit: { commit: { tree: { sha: "4".repeat(40) } } } });

    const outcome = await revert();

    github.done();
    expect(outcome).toEqual({ kind: "too-large", reason: "files" });
    expect(writes(github)).toEqual([]);
  });
});
