// Writes the JSON schemas in schema/ from the zod schemas, for editors (yaml-language-server).
import { writeFileSync } from "node:fs";
import { renderJsonSchema, renderPolicyJsonSchema } from "../src/config/json-schema.js";

writeFileSync(new URL("../schema/slipway.schema.json", import.meta.url), renderJsonSchema());
writeFileSync(new URL("../schema/slipway-policy.schema.json", import.meta.url), renderPolicyJsonSchema());
