// The JSON Schemas one operation's request must satisfy: its path and query parameters as one
// object each, and its JSON request body.
import type { SchemaObject } from "ajv";
import {
  resolveParameter,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiSchema,
} from "./openapi-document.js";
import { toJsonSchema } from "./to-json-schema.js";

export type ExpectedBody =
  | { kind: "none" }
  | { kind: "json"; required: boolean; schema: OpenApiSchema }
  // Markdown rendering takes text/plain; such bodies are not checked beyond being present.
  | { kind: "other"; required: boolean };

/**
 * Path or query parameters as an object schema. Undocumented query parameters are rejected: GitHub
 * ignores them, so a misspelt `per_pgae` would otherwise pass silently.
 */
export function parameterSchema(
  document: OpenApiDocument,
  operation: OpenApiOperation,
  location: "path" | "query",
): SchemaObject {
  const parameters = (operation.parameters ?? [])
    .map((parameter) => resolveParameter(document, parameter))
    .filter((parameter) => parameter.in === location);
  const object: OpenApiSchema = {
    type: "object",
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema ?? {}])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
  return toJsonSchema(object, { components: document.components.schemas, rejectUnknownProperties: true });
}

export function expectedBody(operation: OpenApiOperation): ExpectedBody {
  const requestBody = operation.requestBody;
  if (!requestBody) return { kind: "none" };
  const required = requestBody.required === true;
  const schema = requestBody.content["application/json"]?.schema;
  return schema ? { kind: "json", required, schema } : { kind: "other", required };
}
