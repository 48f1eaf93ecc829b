// Golden files: rendered output compared exactly with fixtures/render/. Run the tests with
// UPDATE_GOLDEN=1 to rewrite them, then review the change like any other diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const GOLDEN_DIR = fileURLToPath(new URL("../../fixtures/render/", import.meta.url));

export function expectGolden(fileName: string, actual: string): void {
  const path = join(GOLDEN_DIR, fileName);
  if (process.env.UPDATE_GOLDEN === "1") {
    // Rewriting asserts nothing: never let it pass as a green run in CI.
    if (process.env.CI) throw new Error("UPDATE_GOLDEN=1 rewrites golden files and asserts nothing; it is refused when CI is set");
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`no golden file ${path}: run the test with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}
