// Slipway's version, for `slipway --version`: the bundle (scripts/bundle-cli.mjs) writes it in at
// build time; run from the sources or the tsc build, it is read from the nearest package.json
// named "slipway" above this file.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

declare const SLIPWAY_BUILD_VERSION: string | undefined;

export function slipwayVersion(): string {
  if (typeof SLIPWAY_BUILD_VERSION === "string") return SLIPWAY_BUILD_VERSION;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "slipway" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    if (dirname(dir) === dir) return "unknown";
  }
}
