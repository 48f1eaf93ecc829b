import { describe, expect, it } from "vitest";
import { changedPaths, planRevertTree, type GitEntry, type GitTree } from "../../src/github/revert-tree.js";

/** A file whose content is named by `content` (its sha is the name, repeated: enough to tell them apart). */
const file = (content: string, mode: GitEntry["mode"] = "100644"): GitEntry => ({ mode, type: "blob", sha: content.padEnd(40, "0").slice(0, 40) });
const tree = (entries: Record<string, GitEntry>): GitTree => new Map(Object.entries(entries));

// Before the merge: web.yaml v1, worker.yaml; the merge: web.yaml v2, a new config.yaml, worker.yaml removed.
const parent = tree({ "deploy/web.yaml": file("a1"), "deploy/worker.yaml": file("b1"), "README.md": file("c1") });
const merge = tree({ "deploy/web.yaml": file("a2"), "deploy/config.yaml": file("d2"), "README.md": file("c1") });
const paths = ["deploy/web.yaml", "deploy/config.yaml", "deploy/worker.yaml"];

describe("planRevertTree", () => {
  it("puts each path the merge changed back as its parent had it, on the branch as the merge left it", () => {
    expect(planRevertTree({ paths, parent, merge, head: merge })).toEqual({
      kind: "entries",
      entries: [
        { path: "deploy/config.yaml", mode: "100644", type: "blob", sha: null },
        { path: "deploy/web.yaml", mode: "100644", type: "blob", sha: file("a1").sha },
        { path: "deploy/worker.yaml", mode: "100644", type: "blob", sha: file("b1").sha },
      ],
    });
  });

  it("builds on a head that moved on elsewhere: later changes to other paths are no concern", () => {
    const head = tree({ ...Object.fromEntries(merge), "deploy/other.yaml": file("e3"), "README.md": file("c3") });
    const plan = planRevertTree({ paths, parent, merge, head });
    expect(plan.kind === "entries" && plan.entries.map((entry) => entry.path)).toEqual(["deploy/config.yaml", "deploy/web.yaml", "deploy/worker.yaml"]);
  });

  it.each([
    ["a later commit changed a file the merge changed", { "deploy/web.yaml": file("a3") }, ["deploy/web.yaml"]],
    ["a later commit deleted a file the merge changed", { "deploy/web.yaml": undefined }, ["deploy/web.yaml"]],
    ["a later commit changed a file the merge added", { "deploy/config.yaml": file("d3") }, ["deploy/config.yaml"]],
    ["a later commit made a file the merge removed again, differently", { "deploy/worker.yaml": file("b3") }, ["deploy/worker.yaml"]],
    ["a later commit made a file executable", { "deploy/web.yaml": file("a2", "100755") }, ["deploy/web.yaml"]],
  ])("names the paths, and writes none, when %s", (_what, change, expected) => {
    const head = new Map(merge);
    for (const [path, entry] of Object.entries(change)) {
      if (entry) head.set(path, entry);
      else head.delete(path);
    }
    expect(planRevertTree({ paths, parent, merge, head })).toEqual({ kind: "changed-since", paths: expected });
  });

  it("leaves out a path a later commit already put back as it was, and says when that is all of them", () => {
    const partly = new Map(merge).set("deploy/web.yaml", file("a1"));
    const plan = planRevertTree({ paths, parent, merge, head: partly });
    expect(plan.kind === "entries" && plan.entries.map((entry) => entry.path)).toEqual(["deploy/config.yaml", "deploy/worker.yaml"]);
    expect(planRevertTree({ paths, parent, merge, head: parent })).toEqual({ kind: "already-reverted" });
  });

  it("keeps the parent's mode, and reverts a mode change alone", () => {
    const script = tree({ "bin/run.sh": file("f1", "100755") });
    const changed = tree({ "bin/run.sh": file("f1", "100644") });
    expect(planRevertTree({ paths: ["bin/run.sh"], parent: script, merge: changed, head: changed })).toEqual({ kind: "entries", entries: [{ path: "bin/run.sh", mode: "100755", type: "blob", sha: file("f1").sha }] });
  });

  it("reverts a submodule's commit like a file", () => {
    const before = tree({ vendor: { mode: "160000", type: "commit", sha: "1".repeat(40) } });
    const after = tree({ vendor: { mode: "160000", type: "commit", sha: "2".repeat(40) } });
    expect(planRevertTree({ paths: ["vendor"], parent: before, merge: after, head: after })).toEqual({ kind: "entries", entries: [{ path: "vendor", mode: "160000", type: "commit", sha: "1".repeat(40) }] });
  });

  it("skips a listed path the merge left as it was", () => {
    expect(planRevertTree({ paths: ["README.md"], parent, merge, head: merge })).toEqual({ kind: "already-reverted" });
  });
});

describe("changedPaths", () => {
  it("lists each file once, a rename's old path too, sorted", () => {
    expect(
      changedPaths([
        { filename: "deploy/web.yaml" },
        { filename: "deploy/api.yaml", previousFilename: "deploy/backend.yaml" },
        { filename: "deploy/web.yaml" },
      ]),
    ).toEqual(["deploy/api.yaml", "deploy/backend.yaml", "deploy/web.yaml"]);
  });

  it("makes a rename's revert: the new path deleted, the old one back", () => {
    const before = tree({ "deploy/backend.yaml": file("b1") });
    const after = tree({ "deploy/api.yaml": file("b1") });
    const renamed = changedPaths([{ filename: "deploy/api.yaml", previousFilename: "deploy/backend.yaml" }]);
    expect(planRevertTree({ paths: renamed, parent: before, merge: after, head: after })).toEqual({
      kind: "entries",
      entries: [
        { path: "deploy/api.yaml", mode: "100644", type: "blob", sha: null },
        { path: "deploy/backend.yaml", mode: "100644", type: "blob", sha: file("b1").sha },
      ],
    });
  });
});
