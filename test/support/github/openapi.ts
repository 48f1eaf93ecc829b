// Checks a request Slipway sends to GitHub against GitHub's published OpenAPI description: the
// method and path must name a documented operation, and its path parameters, query parameters and
// JSON body must satisfy that operation's schemas. Validators compile lazily, once per operation.
import type { SchemaObject, ValidateFunction } from "ajv";
import { formatAjvErrors, sharedAjv } from "./ajv.js";
import { findOperation, indexOperations, type IndexedOperation, type OperationIndex } from "./find-operation.js";
import { HTTP_METHODS, loadGitHubOpenApi, type HttpMethod, type OpenApiDocument } from "./openapi-document.js";
import { expectedBody, parameterSchema } from "./operation-schemas.js";
import { toJsonSchema } from "./to-json-schema.js";

export interface GitHubRequest {
  method: string;
  /** Path with optional query (`/repos/o/r/check-runs?x=1`), or a full https://api.github.com URL. */
  path: string;
  /** The JSON body, parsed or as sent; `undefined` or `""` for none. */
  body?: unknown;
  /** Misspelt body fields fail by default; "allow" follows GitHub, which ignores most of them. */
  unknownBodyProperties?: "reject" | "allow";
}

/** A request GitHub's description does not allow, listing every problem found. */
export class GitHubRequestMismatchError extends Error {
  constructor(
    readonly request: Pick<GitHubRequest, "method" | "path">,
    readonly operationId: string | undefined,
    readonly problems: readonly string[],
  ) {
    const operation = operationId ? ` (${operationId})` : "";
    const list = problems.map((problem) => `  - ${problem}`).join("\n");
    super(`${request.method.toUpperCase()} ${request.path}${operation} does not match GitHub's OpenAPI description:\n${list}`);
    this.name = "GitHubRequestMismatchError";
  }
}

// POST /graphql is not part of the REST description; check the envelope GitHub requires.
const GRAPHQL_BODY: SchemaObject = {
  type: "object",
  required: ["query"],
  properties: { query: { type: "string", minLength: 1 }, variables: { type: "object" }, operationName: { type: "string" } },
  additionalProperties: false,
};

let spec: { document: OpenApiDocument; index: OperationIndex } | undefined;
const validators = new Map<string, ValidateFunction>();

export function validateGitHubRequest(request: GitHubRequest): { operationId: string } {
  const url = new URL(request.path, "https://api.github.com");
  const method = request.method.toLowerCase() as HttpMethod;
  const reject = (operationId: string | undefined, problems: string[]): never => {
    throw new GitHubRequestMismatchError(request, operationId, problems);
  };
  if (url.host !== "api.github.com") reject(undefined, [`${url.host} is not api.github.com`]);
  if (!HTTP_METHODS.includes(method)) reject(undefined, [`GitHub's REST API has no ${request.method} operations`]);

  if (method === "post" && url.pathname === "/graphql") {
    const problems = checkBody(request.body, () => compiled("graphql", false, () => GRAPHQL_BODY));
    if (problems.length > 0) reject("graphql", problems);
    return { operationId: "graphql" };
  }

  spec ??= loadSpec();
  const lookup = findOperation(spec.index, method, url.pathname);
  switch (lookup.kind) {
    case "unknown-path":
      return reject(undefined, [`no path template in GitHub's REST API matches ${url.pathname}`]);
    case "method-not-allowed": {
      const allowed = lookup.allowed.map((m) => m.toUpperCase()).join(", ");
      return reject(undefined, [`${lookup.template} documents ${allowed}, not ${method.toUpperCase()}`]);
    }
    case "matched": {
      const { operationId, externalDocs } = lookup.operation.operation;
      const problems = checkOperation(spec.document, lookup.operation, lookup.pathParams, url, request);
      if (problems.length > 0) reject(operationId, externalDocs ? [...problems, `see ${externalDocs.url}`] : problems);
      return { operationId };
    }
  }
}

function loadSpec(): { document: OpenApiDocument; index: OperationIndex } {
  const document = loadGitHubOpenApi();
  return { document, index: indexOperations(document) };
}

function checkOperation(
  document: OpenApiDocument,
  { operation }: IndexedOperation,
  pathParams: Record<string, string>,
  url: URL,
  request: GitHubRequest,
): string[] {
  const id = operation.operationId;
  const path = compiled(`${id}:path`, true, () => parameterSchema(document, operation, "path"));
  const query = compiled(`${id}:query`, true, () => parameterSchema(document, operation, "query"));
  // Coercion rewrites the object it checks, so each gets a fresh one.
  const problems = [
    ...(path({ ...pathParams }) ? [] : formatAjvErrors("path", path.errors)),
    ...(query(Object.fromEntries(url.searchParams)) ? [] : formatAjvErrors("query", query.errors)),
  ];

  const expected = expectedBody(operation);
  const sent = parseBody(request.body);
  switch (expected.kind) {
    case "none":
      if (sent.kind !== "none" && !isEmptyObject(sent)) problems.push("GitHub documents no request body here, but one was sent");
      return problems;
    case "other":
      if (expected.required && sent.kind === "none") problems.push("the request body is required but none was sent");
      return problems;
    case "json": {
      if (sent.kind === "none") {
        if (expected.required) problems.push("the request body is required but none was sent");
        return problems;
      }
      const unknown = request.unknownBodyProperties ?? "reject";
      const rejectUnknownProperties = unknown === "reject";
      const schema = (): SchemaObject =>
        toJsonSchema(expected.schema, { components: document.components.schemas, rejectUnknownProperties });
      return [...problems, ...checkBody(request.body, () => compiled(`${id}:body:${unknown}`, false, schema))];
    }
  }
}

function checkBody(raw: unknown, validator: () => ValidateFunction): string[] {
  const sent = parseBody(raw);
  if (sent.kind === "invalid") return [`the request body is not JSON: ${sent.reason}`];
  const validate = validator();
  return validate(sent.kind === "json" ? sent.value : undefined) ? [] : formatAjvErrors("body", validate.errors);
}

type SentBody = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "invalid"; reason: string };

function parseBody(raw: unknown): SentBody {
  if (raw === undefined || raw === "") return { kind: "none" };
  if (typeof raw !== "string") return { kind: "json", value: raw };
  try {
    return { kind: "json", value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { kind: "invalid", reason: error instanceof Error ? error.message : String(error) };
  }
}

function isEmptyObject(sent: SentBody): boolean {
  return sent.kind === "json" && typeof sent.value === "object" && sent.value !== null && Object.keys(sent.value).length === 0;
}

function compiled(key: string, coerce: boolean, schema: () => SchemaObject): ValidateFunction {
  let validator = validators.get(key);
  if (!validator) {
    validator = sharedAjv({ coerce }).compile(schema());
    validators.set(key, validator);
  }
  return validator;
}
