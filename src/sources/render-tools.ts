// Where the server finds kustomize and helm: SLIPWAY_KUSTOMIZE and SLIPWAY_HELM (absolute paths),
// else the first `kustomize` and `helm` on PATH. `npm run render:tools` builds the pinned versions
// and prints their paths.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { RenderToolError } from "./tool-outcome.js";
import type { RenderTools } from "./types.js";

export const renderToolVariables = { kustomize: "SLIPWAY_KUSTOMIZE", helm: "SLIPWAY_HELM" } as const;

/** The tools' paths; a RenderToolError naming the variable to set when one cannot be found. */
export function resolveRenderTools(env: NodeJS.ProcessEnv = process.env): RenderTools {
  return { kustomize: resolveTool("kustomize", env), helm: resolveTool("helm", env) };
}

function resolveTool(tool: keyof RenderTools, env: NodeJS.ProcessEnv): string {
  const variable = renderToolVariables[tool];
  const configured = env[variable]?.trim();
  if (configured) {
    if (!isAbsolute(configured)) throw new RenderToolError(tool, `${variable} must be an absolute path, not ${configured}`);
    if (!isExecutable(configured)) throw new RenderToolError(tool, `${variable} names ${configured}, which is not an executable file`);
    return configured;
  }
  const found = (env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => isAbsolute(dir))
    .map((dir) => join(dir, tool))
    .find(isExecutable);
  if (!found) throw new RenderToolError(tool, `no ${tool} on PATH; set ${variable} to its absolute path (npm run render:tools builds the pinned version and prints it)`);
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
