// GitHub's published OpenAPI description of api.github.com, as shipped by @octokit/openapi.
// We read the $ref'd variant (13 MB, ~0.2 s to parse) rather than the dereferenced one (70 MB):
// component schemas are referenced, not copied, so each operation compiles only what it uses.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export type HttpMethod = "get" | "put" | "post" | "patch" | "delete";
export const HTTP_METHODS: readonly HttpMethod[] = ["get", "put", "post", "patch", "delete"];

/** An OpenAPI 3.0 schema object; only the keywords the converter reads are named. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  not?: OpenApiSchema;
  [keyword: string]: unknown;
}

export interface OpenApiReference {
  $ref: string;
}

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: OpenApiSchema;
}

export interface OpenApiOperation {
  operationId: string;
  externalDocs?: { url: string };
  parameters?: (OpenApiParameter | OpenApiReference)[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema?: OpenApiSchema }>;
  };
}

export interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<string, OpenApiSchema>;
    parameters: Record<string, OpenApiParameter>;
  };
}

let cached: OpenApiDocument | undefined;

/** Parses the description once per test file (vitest isolates modules per file). */
export function loadGitHubOpenApi(): OpenApiDocument {
  cached ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
  ) as OpenApiDocument;
  return cached;
}

/** Resolves `#/components/parameters/x`; GitHub only references parameters by that route. */
export function resolveParameter(
  document: OpenApiDocument,
  parameter: OpenApiParameter | OpenApiReference,
): OpenApiParameter {
  if (!("$ref" in parameter)) return parameter;
  const name = parameter.$ref.replace("#/components/parameters/", "");
  const resolved = document.components.parameters[name];
  if (!resolved) throw new Error(`OpenAPI description has no parameter ${parameter.$ref}`);
  return resolved;
}
