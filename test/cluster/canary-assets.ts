// Finds (and, when asked, builds) what the canary tests need besides the control plane: a
// Prometheus binary and the Gateway API and Istio CRDs. build-canary.sh does the work, so
// `npm run cluster:assets`, CI and this helper share one definition of the cache.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runAssetsScript } from "./assets.js";

export interface CanaryAssets {
  prometheus: string;
  /** Gateway API's standard channel CRDs, one file each. */
  gatewayApiCrds: string[];
  /**
   * The standard channel's ValidatingAdmissionPolicy (and binding) against downgrades and
   * experimental CRDs over standard ones. Not a CRD; a cluster installed by the book has it.
   */
  gatewayApiSafeUpgradesPolicy: string | undefined;
  /** Istio's CRDs (VirtualService, DestinationRule, ...), all in one file. */
  istioCrds: string[];
}

/** Runs build-canary.sh (which returns at once when the cache is filled) and describes its result. */
export async function ensureCanaryAssets(options: { log?: (line: string) => void } = {}): Promise<CanaryAssets> {
  const lines = await runAssetsScript("build-canary.sh", "building the canary test assets", options.log ?? (() => undefined));
  const printed = new Map(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  const prometheus = printed.get("prometheus");
  const crds = printed.get("crds");
  if (!prometheus || !crds) throw new Error(`build-canary.sh printed no prometheus= or crds= line:\n${lines.join("\n")}`);
  return describeCanaryAssets({ prometheus, crds });
}

export function describeCanaryAssets(paths: { prometheus: string; crds: string }): CanaryAssets {
  const yamlFiles = (dir: string) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
      .map((name) => join(dir, name));
  const gatewayApi = yamlFiles(join(paths.crds, "gateway-api"));
  // Told apart by what they hold rather than by file name, which upstream may change.
  const holdsOnlyCrds = (file: string) =>
    [...readFileSync(file, "utf8").matchAll(/^kind: (\S+)$/gm)].every((match) => match[1] === "CustomResourceDefinition");
  return {
    prometheus: paths.prometheus,
    gatewayApiCrds: gatewayApi.filter(holdsOnlyCrds),
    gatewayApiSafeUpgradesPolicy: gatewayApi.find((file) => !holdsOnlyCrds(file)),
    istioCrds: yamlFiles(join(paths.crds, "istio")),
  };
}
