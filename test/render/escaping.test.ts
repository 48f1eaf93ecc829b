import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/render/check-run.js";
import { renderPlanComment } from "../../src/render/comment.js";
import { codeFence, codeSpan, escapeHtml, escapeMarkdown, neutraliseMentions } from "../../src/render/escape.js";
import { renderPlanText } from "../../src/render/text.js";
import { aConflict, aFinding, anObject, aPlan } from "./builders.js";
import { inspectMarkdown, withoutCodeSpans } from "./markdown-structure.js";

const hostile = "x```</details></summary><script>alert(1)</script> @someone [click](https://evil.example) *bold* | cell\n\n# Heading\n</details>";
const hostileName = `ConfigMap/apps/${hostile}`;

const hostilePlan = aPlan({
  environment: `prod ${hostile}`,
  context: hostile,
  error: hostile,
  findings: [aFinding({ message: hostile, code: hostile, object: hostileName, position: { file: `apps/${hostile}.yaml`, line: 3 } })],
  objects: [
    anObject(hostileName, {
      action: "rejected",
      note: hostile,
      position: { file: `apps/${hostile}.yaml`, line: 1 },
      rollsOut: [hostile],
      conflicts: [
        aConflict({
          object: hostileName,
          field: hostile,
          manager: hostile,
          advice: hostile,
          liveValue: hostile,
          desiredValue: hostile,
          time: hostile,
        }),
      ],
      diff: `--- live\n+++ desired\n@@ -1 +1 @@\n-a: \`\`\`\`\n+a: ${hostile}\n`,
    }),
  ],
});

function expectContained(markdown: string, objectBlocks: number): void {
  const structure = inspectMarkdown(markdown);
  expect(structure.problems).toEqual([]);
  expect(structure.details).toBe(objectBlocks);
  const interpreted = withoutCodeSpans(structure.outsideFences);
  expect(interpreted).not.toMatch(/<script|<\/summary><|(?<!\\)\]\(https:\/\/evil|\n# Heading/);
  expect(interpreted.match(/<\/details>/g) ?? []).toHaveLength(objectBlocks);
  expect(structure.outsideFences).not.toContain("@someone");
}

describe("hostile text in a plan", () => {
  it("cannot break out of the comment's structure or mention anyone", () => {
    const body = renderPlanComment({ plans: [hostilePlan], headSha: "abc1234", marker: "<!-- slipway:plan -->" });
    expectContained(body, 1);
    // The diff holds a run of four backticks, so its fence needs five.
    expect(body).toContain("\n`````diff\n");
  });

  it("keeps the conflict table to its own rows", () => {
    const body = renderPlanComment({ plans: [hostilePlan], headSha: "abc1234", marker: "<!-- slipway:plan -->" });
    const rows = body.split("\n").filter((line) => line.startsWith("| "));
    // Header, delimiter row, and the one conflict.
    expect(rows).toHaveLength(3);
    // Every pipe that is not a cell boundary is escaped: 6 cells, 7 bare pipes.
    expect(rows[2]?.match(/(?<!\\)\|/g)).toHaveLength(7);
  });

  it("cannot break out of the check run's summary or text", () => {
    const run = renderCheckRun(hostilePlan, { headSha: "abc1234" });
    expectContained(run.summary, 0);
    expectContained(run.text, 1);
  });

  it("refuses a marker that is not one HTML comment", () => {
    expect(() => renderPlanComment({ plans: [], headSha: "abc", marker: "<!-- a --> visible <!-- b -->" })).toThrow(/HTML comment/);
  });

  it("cannot send control sequences to a terminal", () => {
    const plan = aPlan({ objects: [anObject("ConfigMap/apps/\u001b]0;pwned\u0007x", { action: "change", diff: "+a: \u001b[2J\r\u009b31m" })] });
    const text = renderPlanText([plan], { color: false });
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("ConfigMap/apps/\ufffd]0;pwned\ufffdx");
  });
});

describe("escape helpers", () => {
  it("escapes markdown and HTML and flattens lines", () => {
    expect(escapeMarkdown("a_b *c* <i>&\n\n# d")).toBe("a\\_b \\*c\\* &lt;i&gt;&amp; \\# d");
  });

  it("escapes HTML for raw HTML blocks", () => {
    expect(escapeHtml(`</summary>"'&`)).toBe("&lt;/summary&gt;&quot;&#39;&amp;");
    expect(escapeHtml("a```b_c")).toBe("a&#96;&#96;&#96;b&#95;c");
  });

  it("neutralises user and team mentions", () => {
    expect(neutraliseMentions("@alice and @acme/platform")).toBe("@\u200balice and @\u200bacme/platform");
  });

  it("chooses code span delimiters longer than any backtick run inside", () => {
    expect(codeSpan("a``b")).toBe("```a``b```");
    expect(codeSpan("`edge`")).toBe("`` `edge` ``");
    expect(codeSpan("a|b", { inTable: true })).toBe("`a\\|b`");
  });

  it("chooses a fence longer than any backtick run inside", () => {
    expect(codeFence("plain", "diff")).toBe("```diff\nplain\n```\n");
    expect(codeFence("x ``````` y\n", "diff")).toBe("````````diff\nx ``````` y\n````````\n");
  });
});
