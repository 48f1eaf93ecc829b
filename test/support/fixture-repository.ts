// Repositories for the rendering tests: a fresh copy of a fixture per test, removed after it, and
// a stand-in tool that records whether it was run.
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { HelmSource } from "../../src/sources/types.js";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "sources");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The helm-shop fixture's chart as its production environment renders it: two values files. */
export const helmShopProduction: HelmSource = {
  kind: "helm",
  chart: "charts/shop",
  values: ["environments/production/values.yaml", "environments/production/values-eu.yaml"],
  releaseName: "shop",
  namespace: "shop-production",
};

/** A fresh copy of fixtures/sources/<name>, a repository's files, removed after the test. */
export function fixtureRepository(name: string): string {
  const root = mkdtempSync(join(tmpdir(), "slipway-sources-test-"));
  made.push(root);
  cpSync(join(fixtures, name), root, { recursive: true });
  return root;
}

/** A program that only records that it ran: stands in for a tool that must not be run. */
export function recordingTool(): { path: string; ran: () => boolean } {
  const dir = mkdtempSync(join(tmpdir(), "slipway-recording-tool-"));
  made.push(dir);
  const marker = join(dir, "ran");
  const path = join(dir, "tool");
  writeFileSync(path, `#!/bin/sh\necho "$@" > '${marker}'\n`);
  chmodSync(path, 0o755);
  return { path, ran: () => existsSync(marker) };
}
