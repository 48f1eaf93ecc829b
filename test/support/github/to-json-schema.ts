// Translates one OpenAPI 3.0 schema from GitHub's description into JSON Schema that Ajv compiles.
// Component references become local `$defs`, so recursive schemas stay finite and an operation only
// pulls in the components it reaches. The dialect differences handled here:
// - `nullable: true` is OpenAPI 3.0 only. With `type` it becomes `type: [T, "null"]` (plus `null` in
//   `enum`, which GitHub omits on ~70 schemas); without `type` (~135 schemas, e.g. nullable `allOf`)
//   Ajv refuses the keyword, so the schema is wrapped in `anyOf: [schema, {type: "null"}]`.
// - `oneOf` becomes `anyOf`: GitHub's alternatives overlap (budgets list three `{type: string}`
//   branches, issue label lists accept `[]` in both branches), so "exactly one" rejects valid bodies.
// - `example`/`examples` are data, not schema, and are dropped.
// - With `rejectUnknownProperties`, objects that list `properties` and say nothing about
//   `additionalProperties` are closed, so a misspelt field (`sumary`) fails the test. GitHub itself
//   ignores unknown fields on most endpoints, so this is stricter than the description on purpose.
//   Branches of `allOf`, and `anyOf`/`oneOf` branches that only constrain their parent's
//   properties, stay open; their property names are allowed on the parent instead.
import type { SchemaObject } from "ajv";
import type { OpenApiSchema } from "./openapi-document.js";

export interface ToJsonSchemaOptions {
  components: Record<string, OpenApiSchema>;
  rejectUnknownProperties: boolean;
}

type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: OpenApiSchema, options: ToJsonSchemaOptions): SchemaObject {
  const defs: Record<string, JsonSchema> = {};

  const define = (ref: string, open: boolean): string => {
    const name = ref.replace("#/components/schemas/", "");
    const key = open ? `${name}.open` : name;
    if (!(key in defs)) {
      const component = options.components[name];
      if (!component) throw new Error(`OpenAPI description has no schema ${ref}`);
      defs[key] = {}; // placeholder first: recursive components refer back to themselves
      defs[key] = convert(component, open);
    }
    return encodeURIComponent(key.replaceAll("~", "~0").replaceAll("/", "~1"));
  };

  const convert = (node: OpenApiSchema, open: boolean): JsonSchema => {
    if (node.$ref !== undefined) return { $ref: `#/$defs/${define(node.$ref, open)}` };
    const { example: _example, examples: _examples, nullable, oneOf, ...rest } = node;
    const out: JsonSchema = { ...rest };
    // Branches that constrain the parent's own properties (`anyOf: [{required: [...]}]`) must not be
    // closed on their own: they would reject the parent's other fields.
    const branchesAreMixins = rest.properties !== undefined;
    if (rest.properties) out.properties = mapValues(rest.properties, (p) => convert(p, false));
    if (typeof rest.additionalProperties === "object") {
      out.additionalProperties = convert(rest.additionalProperties, false);
    }
    if (rest.items) out.items = convert(rest.items, false);
    if (rest.not) out.not = convert(rest.not, false);
    if (rest.allOf) out.allOf = rest.allOf.map((branch) => convert(branch, true));
    if (rest.anyOf) out.anyOf = rest.anyOf.map((branch) => convert(branch, branchesAreMixins));
    if (oneOf) {
      const alternatives = oneOf.map((branch) => convert(branch, branchesAreMixins));
      if (out.anyOf) out.allOf = [...((out.allOf as JsonSchema[] | undefined) ?? []), { anyOf: alternatives }];
      else out.anyOf = alternatives;
    }
    if (options.rejectUnknownProperties && !open && rest.properties && rest.additionalProperties === undefined) {
      const allowed = { ...(out.properties as JsonSchema) };
      for (const name of branchPropertyNames(node, options.components)) allowed[name] ??= true;
      out.properties = allowed;
      out.additionalProperties = false;
    }
    return nullable === true ? allowNull(out) : out;
  };

  return { $defs: defs, allOf: [convert(schema, false)] };
}

function allowNull(schema: JsonSchema): JsonSchema {
  if (typeof schema.type !== "string") return { anyOf: [schema, { type: "null" }] };
  const out: JsonSchema = { ...schema, type: [schema.type, "null"] };
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
  return out;
}

/** Property names declared by a schema's composition branches, one level down. */
function branchPropertyNames(node: OpenApiSchema, components: Record<string, OpenApiSchema>): string[] {
  const branches = [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  return branches.flatMap((branch) => {
    const resolved = branch.$ref ? components[branch.$ref.replace("#/components/schemas/", "")] : branch;
    return Object.keys(resolved?.properties ?? {});
  });
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
