import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/render/check-run.js";
import { renderPlanComment } from "../../src/render/comment.js";
import { renderPlanText } from "../../src/render/text.js";
import { aPlan, anObject, aDiff } from "./builders.js";
import { expectGolden } from "./golden.js";
import { inspectMarkdown } from "./markdown-structure.js";
import { scenarios } from "./scenarios.js";

const headSha = "9f2c4e1a7b3d5f6e8a0c2e4f6a8b0c2d4e6f8a0b";
const marker = "<!-- slipway:plan -->";

describe("plan comment golden files", () => {
  it.each(Object.entries(scenarios))("%s", (name, plan) => {
    const body = renderPlanComment({ plans: [plan], headSha, marker });
    expect(inspectMarkdown(body).problems).toEqual([]);
    expectGolden(`comment-${name}.md`, body);
  });

  it("puts several environments in one comment and links each one's check run", () => {
    const web = anObject("Deployment/apps/web", { action: "change", diff: aDiff("Deployment/apps/web") });
    const staging = aPlan({ environment: "staging", objects: [web] });
    const body = renderPlanComment({
      plans: [staging, scenarios.conflicts ?? aPlan()],
      headSha,
      marker,
      checkRunUrls: { production: "https://github.com/acme/deploy/runs/123" },
    });
    expect(body.startsWith(`${marker}\n`)).toBe(true);
    expectGolden("comment-multiple-environments.md", body);
  });
});

describe("check run golden files", () => {
  it.each(["conflicts", "findings"])("%s", (name) => {
    const run = renderCheckRun(scenarios[name] ?? aPlan(), { headSha });
    for (const part of [run.summary, run.text]) expect(inspectMarkdown(part).problems).toEqual([]);
    const page = [`# ${run.name}: ${run.conclusion}`, `## ${run.title}`, run.summary, "<!-- output.text -->", run.text].join("\n\n");
    expectGolden(`check-run-${name}.md`, page);
  });
});

describe("terminal text golden file", () => {
  it("renders every scenario without colour", () => {
    const plans = Object.entries(scenarios).map(([name, plan]) => ({ ...plan, environment: name }));
    expectGolden("text-scenarios.txt", renderPlanText(plans, { color: false }));
  });
});
