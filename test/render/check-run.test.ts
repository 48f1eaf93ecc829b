import { describe, expect, it } from "vitest";
import { batchAnnotations, checkRunName, renderCheckRun } from "../../src/render/check-run.js";
import { CHECK_RUN_TITLE_MAX } from "../../src/render/limits.js";
import { aConflict, aFinding, anObject, aPlan } from "./builders.js";

const headSha = "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b";

describe("renderCheckRun", () => {
  it("names the run after the environment and concludes like the plan", () => {
    const run = renderCheckRun(aPlan({ environment: "staging" }), { headSha });
    expect(run).toMatchObject({ name: "slipway/plan (staging)", conclusion: "success", title: "no changes (0 unchanged)" });
    expect(checkRunName("staging")).toBe(run.name);
    expect(run.text).toBe("_No object changes._\n");
  });

  it("annotates a rejected dry-run as a failure and an unverified object as a notice, on their lines", () => {
    const plan = aPlan({
      objects: [
        anObject("Deployment/apps/web", { action: "rejected", position: { file: "web.yaml", line: 14 }, note: "unknown field" }),
        anObject("ConfigMap/new/c", { action: "unverified", position: { file: "c.yaml", line: 3 }, note: "namespace is new" }),
        anObject("ConfigMap/apps/d", { action: "change", position: { file: "d.yaml", line: 1 }, note: "a remark" }),
      ],
    });
    const annotations = renderCheckRun(plan, { headSha }).annotations;
    expect(annotations).toEqual([
      expect.objectContaining({ path: "web.yaml", start_line: 14, annotation_level: "failure", message: "unknown field" }),
      expect.objectContaining({ path: "c.yaml", start_line: 3, annotation_level: "notice", message: "namespace is new" }),
    ]);
  });

  it("keeps the title under GitHub's limit", () => {
    const objects = Array.from({ length: 3 }, (_, index) => anObject(`ConfigMap/apps/c${index}`, { action: "create" }));
    const run = renderCheckRun(aPlan({ objects }), { headSha });
    expect(run.title).toBe("3 to create");
    expect(run.title.length).toBeLessThanOrEqual(CHECK_RUN_TITLE_MAX);
  });

  it("annotates findings and conflicts that have a position, at the level they deserve", () => {
    const plan = aPlan({
      findings: [
        aFinding(),
        aFinding({ severity: "warning", code: "deprecated-api", position: { file: "a.yaml", line: 2 } }),
        aFinding({ severity: "notice", code: "info", position: { file: "a.yaml", line: 0 } }),
        aFinding({ position: undefined }),
      ],
      objects: [
        anObject("Deployment/apps/web", {
          action: "change",
          conflicts: [
            aConflict(),
            aConflict({ blocking: true, position: { file: "apps/web.yaml", line: 12 } }),
            aConflict({ position: undefined }),
          ],
        }),
      ],
    });
    const levels = (conflictsFail: boolean) =>
      renderCheckRun({ ...plan, conflictsFail }, { headSha }).annotations.map((a) => [a.path, a.start_line, a.annotation_level]);
    expect(levels(false)).toEqual([
      ["apps/broken.yaml", 4, "failure"],
      ["a.yaml", 2, "warning"],
      ["a.yaml", 1, "notice"],
      ["apps/web.yaml", 9, "warning"],
      ["apps/web.yaml", 12, "failure"],
    ]);
    expect(levels(true).map(([, , level]) => level)).toEqual(["failure", "warning", "notice", "failure", "failure"]);
  });

  it("says in a conflict annotation who owns the field and what to do", () => {
    const plan = aPlan({ objects: [anObject("Deployment/apps/web", { conflicts: [aConflict()] })] });
    const [annotation] = renderCheckRun(plan, { headSha }).annotations;
    expect(annotation).toEqual({
      path: "apps/web.yaml",
      start_line: 9,
      end_line: 9,
      annotation_level: "warning",
      title: "Field ownership conflict: .spec.replicas",
      message:
        "Deployment/apps/web: .spec.replicas is owned by kube-controller-manager " +
        "(controller, Update, subresource scale), last written 2024-05-02T10:15:00Z.\n" +
        "Live: 5; desired: 3.\n" +
        "An autoscaler owns the replica count: remove spec.replicas from the manifest.",
    });
  });
});

describe("batchAnnotations", () => {
  const numbers = (count: number) => Array.from({ length: count }, (_, index) => index);

  it("splits into groups of 50 by default, keeping the order", () => {
    const batches = batchAnnotations(numbers(120));
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(numbers(120));
  });

  it("returns no batch for no annotations and one for exactly 50", () => {
    expect(batchAnnotations([])).toEqual([]);
    expect(batchAnnotations(numbers(50))).toHaveLength(1);
  });

  it("accepts smaller batches and refuses sizes GitHub would not", () => {
    expect(batchAnnotations(numbers(5), 2).map((batch) => batch.length)).toEqual([2, 2, 1]);
    for (const size of [0, 51, 1.5]) expect(() => batchAnnotations(numbers(5), size)).toThrow(RangeError);
  });
});

describe("a plan with canaried workloads", () => {
  const canary = (kind: "none" | "start" | "continue" | "promote" | "held") => ({
    workload: "web",
    kind,
    revision: "5f1c2e9a0b3d",
    heldBack: ["Deployment/apps/web", "ConfigMap/apps/web-config", "HTTPRoute/apps/web"],
    steps: [5, 10, 25, 50],
    promotion: "manual" as const,
    intervalMs: 60_000,
    checks: ["success rate ≥ 99 %", "p99 ≤ 500 ms"],
    reason: "The canary of this revision failed: the stable Deployment keeps its revision until a new commit changes it, or /canary retry.",
  });

  it("says what the merge will canary, with its steps and checks, and what it holds back", () => {
    const run = renderCheckRun(aPlan({ canaries: [canary("start")] }), { headSha });
    expect(run.summary + run.text).toContain(
      "`Deployment/web` will be canaried (revision `5f1c2e9a0b3d`): 5 % → 10 % → 25 % → 50 % → promote (manual), checks every 1m: success rate ≥ 99 %, p99 ≤ 500 ms. Until promotion the stable pods keep what they run (held back: `Deployment/apps/web`, `ConfigMap/apps/web-config`, `HTTPRoute/apps/web`).",
    );
  });

  it("says why a revision whose canary failed is held, and nothing for a workload applied as written", () => {
    const held = renderCheckRun(aPlan({ canaries: [canary("held")] }), { headSha });
    expect(held.summary + held.text).toContain("`Deployment/web`: The canary of this revision failed");
    const none = renderCheckRun(aPlan({ canaries: [canary("none")] }), { headSha });
    expect(none.summary + none.text).not.toContain("#### Canaries");
  });
});
