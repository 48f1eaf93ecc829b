// Writes schema/slipway.schema.json from the zod schema, for editors (yaml-language-server).
import { writeFileSync } from "node:fs";
import { renderJsonSchema } from "../src/config/json-schema.js";

writeFileSync(new URL("../schema/slipway.schema.json", import.meta.url), renderJsonSchema());
