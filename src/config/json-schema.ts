// The JSON schema of .github/slipway.yml, generated from the zod schema so the two never drift.
import { z } from "zod";
import { repoConfigSchema } from "./schema.js";

export function renderJsonSchema(): string {
  const schema = z.toJSONSchema(repoConfigSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Slipway configuration (.github/slipway.yml)" }, null, 2)}\n`;
}
