// The options `slipway plan` parses from its arguments, as the command-line tests call it directly.
import type { PlanCommandOptions } from "../../src/cli/plan-command.js";

/** Against the cluster, as text, without colour; `overrides` for the rest. */
export function planOptions(cwd: string, overrides: Partial<PlanCommandOptions> = {}): PlanCommandOptions {
  return { paths: [], offline: false, output: "text", fieldManager: "slipway", configHashKey: "test-key", color: false, cwd, ...overrides };
}
