// Finds (and, when asked, builds) kustomize and helm for the rendering tests: the same
// tools/build-render-tools.sh that `npm run render:tools`, CI and a server's operator use.
import type { RenderTools } from "../../src/sources/types.js";
import { runAssetsScript } from "./assets.js";

/** Runs build-render-tools.sh (which returns at once when the cache is filled) and reads its two lines. */
export async function ensureRenderTools(options: { log?: (line: string) => void } = {}): Promise<RenderTools> {
  const lines = await runAssetsScript("../../tools/build-render-tools.sh", "building kustomize and helm", options.log ?? (() => undefined));
  const printed = new Map(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  const kustomize = printed.get("kustomize");
  const helm = printed.get("helm");
  if (!kustomize || !helm) throw new Error(`build-render-tools.sh printed no kustomize= or helm= line:\n${lines.join("\n")}`);
  return { kustomize, helm };
}
