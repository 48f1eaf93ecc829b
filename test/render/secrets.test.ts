import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/render/check-run.js";
import { renderPlanComment } from "../../src/render/comment.js";
import { renderPlanText } from "../../src/render/text.js";
import { aConflict, aDiff, anObject, aPlan } from "./builders.js";

// Values a planner that failed to mask would hand over: in the diff and in a conflict.
const values = ["aHVudGVyMg==", "c3VwZXJzZWNyZXQ=", "hunter2", "supersecret"];

const secretPlan = aPlan({
  objects: [
    anObject("Secret/apps/db", {
      action: "change",
      diff: aDiff("Secret/apps/db", ["-  password: aHVudGVyMg==", "+  password: c3VwZXJzZWNyZXQ="]),
      secretKeys: [{ key: "password", state: "changed" }],
      conflicts: [
        aConflict({
          object: "Secret/apps/db",
          field: ".data.password",
          liveValue: "hunter2",
          desiredValue: "supersecret",
          position: { file: "apps/db.yaml", line: 7 },
        }),
      ],
    }),
    // Recognised by its kind even without key states.
    anObject("Secret/apps/api", { action: "create", diff: aDiff("Secret/apps/api", ["+  token: hunter2"]) }),
  ],
});

describe("Secret values", () => {
  it("never appear in the comment, the check run or the terminal", () => {
    const run = renderCheckRun(secretPlan, { headSha: "abc1234" });
    const outputs = {
      comment: renderPlanComment({ plans: [secretPlan], headSha: "abc1234", marker: "<!-- slipway:plan -->" }),
      summary: run.summary,
      text: run.text,
      annotations: JSON.stringify(run.annotations),
      terminal: renderPlanText([secretPlan], { color: true }),
    };
    for (const [where, output] of Object.entries(outputs)) {
      for (const value of values) expect(output, `${value} in ${where}`).not.toContain(value);
    }
  });

  it("are replaced by key states", () => {
    const body = renderPlanComment({ plans: [secretPlan], headSha: "abc1234", marker: "<!-- slipway:plan -->" });
    expect(body).toContain("- `password`: changed");
    expect(body).toContain("_hidden (Secret)_");
    expect(body).toContain("_Secret values are never shown._");
  });

  it("leave a ConfigMap in a group named like a Secret alone", () => {
    const custom = anObject("Secret/apps/x", { action: "change", diff: aDiff("Secret/apps/x", ["+  visible: yes"]) });
    const plan = aPlan({ objects: [{ ...custom, ref: { ...custom.ref, apiVersion: "example.com/v1" } }] });
    expect(renderPlanText([plan], { color: false })).toContain("+  visible: yes");
  });
});
