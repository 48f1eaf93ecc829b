import { describe, expect, it } from "vitest";
import { renderPlanText } from "../../src/render/text.js";
import { aDiff, anObject, aPlan } from "./builders.js";

const plan = aPlan({ objects: [anObject("Deployment/apps/web", { action: "change", diff: aDiff("Deployment/apps/web") })] });

describe("renderPlanText", () => {
  it("colours diff lines when asked", () => {
    const text = renderPlanText([plan], { color: true });
    expect(text).toContain("\x1b[32m+        image: web:1.5.0\x1b[0m");
    expect(text).toContain("\x1b[31m-        image: web:1.4.2\x1b[0m");
    expect(text).toContain("\x1b[36m@@ -21 +21 @@\x1b[0m");
  });

  it("writes no escape sequences without colour", () => {
    expect(renderPlanText([plan], { color: false })).not.toContain("\x1b");
  });

  it("says so when there is nothing to plan", () => {
    expect(renderPlanText([], { color: false })).toBe("No environment is affected.\n");
  });
});
