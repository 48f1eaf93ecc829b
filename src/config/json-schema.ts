// The JSON schemas of .github/slipway.yml and of the server's policy file, generated from the zod
// schemas so the two never drift.
import * as z from "zod";
import { policySchema } from "./policy.js";
import { repoConfigSchema } from "./schema.js";

export function renderJsonSchema(): string {
  return render(repoConfigSchema, "Slipway configuration (.github/slipway.yml)", (json) => {
    // The schema's refinement that an environment names exactly one source, which zod cannot express.
    const environment = (json as { properties: { environments: { items: Record<string, unknown> } } }).properties.environments.items;
    environment.oneOf = ["paths", "kustomize", "helm"].map((source) => ({ required: [source] }));
  });
}

export function renderPolicyJsonSchema(): string {
  return render(policySchema, "Slipway server policy (SLIPWAY_POLICY)");
}

function render(schema: z.ZodType, title: string, amend?: (json: object) => void): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  amend?.(json);
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}
