import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/render/check-run.js";
import { renderPlanComment } from "../../src/render/comment.js";
import { COMMENT_BODY_BUDGET, CHECK_RUN_SUMMARY_MAX, CHECK_RUN_TEXT_MAX, utf8Length } from "../../src/render/limits.js";
import { OBJECT_DIFF_MAX, capLines } from "../../src/render/object-block.js";
import type { EnvironmentPlan } from "../../src/plan/types.js";
import { aConflict, aDiff, aFinding, anObject, aPlan } from "./builders.js";
import { inspectMarkdown } from "./markdown-structure.js";
import { layoutBlocks, renderUpTo } from "../../src/render/layout.js";

const marker = "<!-- slipway:plan -->";
const headSha = "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b";

/** `count` changed ConfigMaps, each with a diff of about `diffLines` × 40 characters. */
function bigPlan(count: number, diffLines: number, overrides: Partial<EnvironmentPlan> = {}): EnvironmentPlan {
  const objects = Array.from({ length: count }, (_, index) => {
    const name = `ConfigMap/apps/config-${index}`;
    const lines = Array.from({ length: diffLines }, (_, line) => `+  key-${line}: ${"v".repeat(30)}`);
    return anObject(name, { action: "change", diff: aDiff(name, lines) });
  });
  return aPlan({ objects, ...overrides });
}

const shownObjects = (markdown: string): number => inspectMarkdown(markdown).details;

function leftOut(markdown: string): number {
  const match = /\*\*(\d+) more objects? not shown here\*\*/.exec(markdown);
  return Number(match?.[1] ?? 0);
}

describe("comment size", () => {
  it("keeps 2,000 objects with large diffs within the budget, leaving whole objects out", () => {
    const body = renderPlanComment({ plans: [bigPlan(2_000, 50)], headSha, marker });
    const structure = inspectMarkdown(body);
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_BUDGET);
    expect(structure.problems).toEqual([]);
    expect(structure.fences).toBe(structure.details);
    expect(shownObjects(body)).toBeGreaterThan(10);
    expect(shownObjects(body) + leftOut(body)).toBe(2_000);
    expect(body).toContain("see the check run `slipway/plan (production)`");
  });

  it("links the check run from the left-out note when its URL is known", () => {
    const url = "https://github.com/acme/deploy/runs/42";
    const body = renderPlanComment({ plans: [bigPlan(500, 50)], headSha, marker, checkRunUrls: { production: url } });
    expect(body).toMatch(/\*\*\d+ more objects not shown here\*\*, to stay within GitHub's size limit: see the /);
    expect(body).toContain(`see the [check run](${url}).`);
  });

  it("does not link a URL that could break out of the link", () => {
    const body = renderPlanComment({ plans: [bigPlan(500, 50)], headSha, marker, checkRunUrls: { production: "javascript:alert(1)" } });
    expect(body).not.toContain("javascript:");
  });

  it("shares the budget so one environment's diffs do not push out another's conflicts", () => {
    const conflicts = Array.from({ length: 3 }, (_, index) => aConflict({ field: `.spec.field${index}` }));
    const small = aPlan({ environment: "staging", objects: [anObject("Deployment/apps/web", { action: "change", conflicts })] });
    const body = renderPlanComment({ plans: [bigPlan(2_000, 50), small], headSha, marker });
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_BUDGET);
    for (const conflict of conflicts) expect(body).toContain(conflict.field);
    expect(inspectMarkdown(body).problems).toEqual([]);
  });

  it("leaves findings out from the end, errors last", () => {
    const findings = [
      ...Array.from({ length: 3_000 }, (_, index) =>
        aFinding({ severity: "warning", code: "style", message: `warning number ${index} ${"x".repeat(40)}` }),
      ),
      aFinding({ message: "the one error" }),
    ];
    const body = renderPlanComment({ plans: [aPlan({ findings })], headSha, marker });
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_BUDGET);
    expect(body).toContain("the one error");
    expect(body).toMatch(/- … \d+ more findings not shown here: see the check run/);
  });

  it("cuts one very long message so it cannot push out the others", () => {
    const findings = [aFinding({ message: `first ${"x".repeat(200_000)}` }), aFinding({ message: "second error" })];
    const body = renderPlanComment({ plans: [aPlan({ findings })], headSha, marker });
    expect(body).toContain("second error");
    expect(body).toContain(`first ${"x".repeat(900)}`);
    expect(body.length).toBeLessThan(5_000);
  });

  it("shows at most OBJECT_DIFF_MAX characters of one object's diff, cut after a whole line", () => {
    const body = renderPlanComment({ plans: [bigPlan(1, 5_000)], headSha, marker });
    expect(body.length).toBeLessThan(OBJECT_DIFF_MAX + 2_000);
    expect(body).toMatch(/\n… \d+ more lines not shown\n`{3}\n/);
    expect(inspectMarkdown(body).problems).toEqual([]);
  });
});

describe("capLines", () => {
  it("returns short text unchanged", () => {
    expect(capLines("a\nb\n", 10)).toBe("a\nb\n");
  });

  it("counts the lines it leaves out", () => {
    expect(capLines("aaa\nbbb\nccc\nddd\n", 9)).toBe("aaa\nbbb\n… 2 more lines not shown\n");
  });

  it("cuts a single overlong line", () => {
    expect(capLines(`${"x".repeat(50)}\nshort\n`, 10)).toBe(`${"x".repeat(9)}…\n… 1 more line not shown\n`);
  });
});

describe("check run size", () => {
  it("keeps the text within 65,535 UTF-8 bytes when diffs are multi-byte", () => {
    const objects = Array.from({ length: 400 }, (_, index) => {
      const name = `ConfigMap/apps/i18n-${index}`;
      const lines = Array.from({ length: 40 }, () => "+  greeting: こんにちは世界 👋 grüß dich");
      return anObject(name, { action: "change", diff: aDiff(name, lines) });
    });
    const run = renderCheckRun(aPlan({ objects }), { headSha });
    expect(run.text.length).toBeLessThan(CHECK_RUN_TEXT_MAX);
    expect(utf8Length(run.text)).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX);
    expect(inspectMarkdown(run.text).problems).toEqual([]);
    expect(run.text).toContain("run `slipway plan` for the full report");
  });

  it("keeps the summary within its limit with thousands of conflicts", () => {
    const conflicts = Array.from({ length: 5_000 }, (_, index) => aConflict({ field: `.data.key${index}`, advice: "ä".repeat(30) }));
    const run = renderCheckRun(aPlan({ objects: [anObject("ConfigMap/apps/big", { action: "change", conflicts })] }), { headSha });
    expect(utf8Length(run.summary)).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX);
    expect(run.summary).toMatch(/\n\n… \d+ more conflicts not shown here: run `slipway plan` for the full report\.\n/);
    expect(run.annotations).toHaveLength(5_000);
  });
});

describe("rendering only what a limit can show", () => {
  it("lays out the same text whether every item was rendered or only those up to the limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }).map((text) => `${text}\n`), { maxLength: 60 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.string({ maxLength: 200 }),
        (items, max, fixed) => {
          const options = { max, measure: utf8Length };
          const omitted = (count: number) => `${count} more\n`;
          const every = layoutBlocks([fixed, { head: "# Head\n", items, omitted }], options);
          const some = layoutBlocks([fixed, { head: "# Head\n", ...renderUpTo(items, (item) => item, options), omitted }], options);
          expect(some).toBe(every);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("renders a plan of 20,000 objects with large diffs in well under a second, counting every object", () => {
    const plan = bigPlan(20_000, 50);
    const started = performance.now();
    const body = renderPlanComment({ plans: [plan], headSha, marker });
    const report = renderCheckRun(plan, { headSha });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(shownObjects(body) + leftOut(body)).toBe(20_000);
    expect(shownObjects(report.text) + leftOut(report.text)).toBe(20_000);
  });
});
