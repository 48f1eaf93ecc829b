// What a rendering test needs: the kustomize and helm that global setup built (or a skip).
import { describe, inject } from "vitest";
import type { RenderTools } from "../../src/sources/types.js";

const provided = inject("renderTools");

/** `describe` that skips, saying why once in global setup, when kustomize or helm could not be built. */
export const describeWithRenderTools = describe.skipIf(!provided.available);

export function renderTools(): RenderTools {
  if (!provided.available) throw new Error(`no render tools: ${provided.skipReason}`);
  return { kustomize: provided.kustomize, helm: provided.helm };
}
