// The two Ajv instances the OpenAPI checks share, and how their errors read in a failed test.
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";

const instances = new Map<boolean, Ajv>();

/**
 * `coerce` is for path and query parameters, which arrive as strings ("42" must pass as an
 * integer); bodies are JSON and are checked without coercion.
 */
export function sharedAjv({ coerce }: { coerce: boolean }): Ajv {
  let ajv = instances.get(coerce);
  if (ajv) return ajv;
  // strict: false because GitHub's schemas carry OpenAPI-only keywords (discriminator, readOnly,
  // x-github) that Ajv's strict mode refuses.
  ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce ? "array" : false });
  // ajv-formats is CommonJS; under NodeNext its default export arrives as `.default`.
  addFormats.default(ajv);
  // Formats GitHub uses that no standard defines; accepted as-is rather than warned about.
  for (const format of ["repo.nwo", "timestamp"]) ajv.addFormat(format, true);
  instances.set(coerce, ajv);
  return ajv;
}

/** One line per Ajv error, e.g. `body/conclusion must be equal to one of the allowed values: a, b`. */
export function formatAjvErrors(subject: string, errors: ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((error) => `${subject}${error.instancePath} ${error.message ?? "is invalid"}${detail(error)}`);
  return [...new Set(lines)];
}

function detail(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "enum":
      return `: ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "additionalProperties":
      return `: "${String(params.additionalProperty)}"`;
    default:
      return "";
  }
}
