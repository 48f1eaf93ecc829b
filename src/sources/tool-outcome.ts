// What a tool run that did not exit on its own means. A timeout or an output cap is the source's
// doing: a finding that says which limit stopped it. A binary that cannot be started, or a run
// aborted because the server is stopping, is not the user's to fix: an error (STYLE principle 4).
import type { SourcePosition } from "../manifests/types.js";
import { sourceFinding, type SourceFinding } from "./findings.js";
import type { RunToolOutcome } from "./run-tool.js";
import type { RenderLimits } from "./types.js";

/** The rendering tool could not be run at all (missing binary, not executable) or was aborted. */
export class RenderToolError extends Error {
  override readonly name = "RenderToolError";
  constructor(
    readonly tool: "kustomize" | "helm",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function toolOutcomeFinding(params: {
  outcome: Exclude<RunToolOutcome, { kind: "exited" }>;
  tool: "kustomize" | "helm";
  source: string;
  limits: RenderLimits;
  at: SourcePosition;
}): SourceFinding {
  const { outcome, tool, source, limits, at } = params;
  switch (outcome.kind) {
    case "timeout":
      return sourceFinding(
        "render-timeout",
        `${tool} did not finish rendering ${source} within ${limits.timeoutMs / 1000} s and was stopped; nothing was planned from it. Look for a template or generator that loops or recurses without end.`,
        at,
      );
    case "output-cap":
      return sourceFinding(
        "render-output-too-large",
        `${tool} printed more than ${formatBytes(limits.maxOutputBytes)} of YAML for ${source} and was stopped; nothing was planned from it. Render less, or split the environment.`,
        at,
      );
    case "aborted":
      throw new RenderToolError(tool, `rendering ${source} with ${tool} was stopped: the server is shutting down`);
    case "spawn-failed":
      throw new RenderToolError(tool, `${tool} could not be started (${outcome.message}); check the server's ${tool} setting`);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
