import { describe, expect, it } from "vitest";
import { BoundedMap } from "../../src/util/bounded-map.js";

describe("BoundedMap", () => {
  it("keeps the most recently written entries", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("a", 3).set("c", 4);
    expect([...map.entries()]).toEqual([
      ["a", 3],
      ["c", 4],
    ]);
  });
});
