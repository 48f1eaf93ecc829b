import { describe, expect, it } from "vitest";
import { truncateText, utf8Length } from "../../src/render/limits.js";

describe("truncateText", () => {
  it.each([
    ["short", 10, "…", "short"],
    ["exactly10!", 10, "…", "exactly10!"],
    ["abcdefghijk", 5, "…", "abcd…"],
    ["abcdefghijk", 5, " [cut]", "abcde"],
    ["abcdefghijk", 0, "…", ""],
  ])("truncateText(%j, %i, %j) is %j", (text, max, suffix, expected) => {
    expect(truncateText(text, max, suffix)).toBe(expected);
  });

  it("never cuts a surrogate pair in half", () => {
    const text = "ab👋cd"; // 👋 is two code units at 2 and 3
    const cut = truncateText(text, 4, "…");
    expect(cut).toBe("ab…");
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone high surrogate
    expect(truncateText(text, 5, "…")).toBe("ab👋…");
  });
});

describe("utf8Length", () => {
  it.each(["", "ascii", "grüß", "こんにちは", "👋🏽 wave", "\ud800 lone"])("matches Buffer for %j", (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, "utf8"));
  });
});
