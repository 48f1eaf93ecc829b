// The JSON schemas of .github/slipway.yml and of the server's policy file, generated from the zod
// schemas so the two never drift.
import { z } from "zod";
import { policySchema } from "./policy.js";
import { repoConfigSchema } from "./schema.js";

export function renderJsonSchema(): string {
  return render(repoConfigSchema, "Slipway configuration (.github/slipway.yml)");
}

export function renderPolicyJsonSchema(): string {
  return render(policySchema, "Slipway server policy (SLIPWAY_POLICY)");
}

function render(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}
