import { describe, expect, it } from "vitest";
import type { ApplyReport, ObjectResult } from "../../src/apply/types.js";
import { applyTitle, renderApplyCheckRun } from "../../src/render/apply-report.js";
import { CHECK_RUN_TEXT_MAX, utf8Length } from "../../src/render/limits.js";

const object = (name: string, action: ObjectResult["action"], extra: Partial<ObjectResult> = {}): ObjectResult => ({
  ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "apps", name },
  name: `ConfigMap/apps/${name}`,
  action,
  conflicts: [],
  durationMs: 3,
  ...extra,
});
const report = (overrides: Partial<ApplyReport>): ApplyReport => ({
  environment: "prod",
  commit: "0123456789abcdef0123",
  outcome: "applied",
  objects: [],
  findings: [],
  durationMs: 1200,
  ...overrides,
});

describe("renderApplyCheckRun", () => {
  it.each([
    { outcome: "applied" as const, objects: [object("a", "created"), object("b", "unchanged"), object("c", "created")], title: "2 created, 1 unchanged", conclusion: "success" },
    { outcome: "failed" as const, objects: [object("a", "failed"), object("b", "configured", { readiness: { ready: false, reason: "0 of 1 available" } })], title: "1 failed, 1 configured, 1 not ready", conclusion: "failure" },
    { outcome: "refused" as const, objects: [], title: "Nothing applied: the preflight refused this commit", conclusion: "failure" },
    { outcome: "skipped" as const, objects: [], title: "Skipped: an older commit than the one applied", conclusion: "skipped" },
  ])("titles and concludes an $outcome apply", ({ outcome, objects, title, conclusion }) => {
    const run = renderApplyCheckRun(report({ outcome, objects }));
    expect(run).toMatchObject({ name: "slipway/apply (prod)", title, conclusion });
    expect(applyTitle(report({ outcome, objects }))).toBe(title);
  });

  it("keeps the object table within GitHub's byte limit, leaving whole rows out", () => {
    const objects = Array.from({ length: 3000 }, (_, index) => object(`config-${index}-ü`, "failed", { message: "Not applied: ".padEnd(60, "x") }));
    const run = renderApplyCheckRun(report({ outcome: "failed", objects }));
    expect(utf8Length(run.text)).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX);
    expect(run.text).toMatch(/more objects left out/);
    const rows = run.text.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((row) => row.endsWith("|"))).toBe(true);
  });
});
