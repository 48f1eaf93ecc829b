// The OpenAPI check is what makes a nock-based test trustworthy: a request GitHub would refuse must
// fail here, and one it accepts must pass.
import { describe, expect, it } from "vitest";
import { GitHubRequestMismatchError, validateGitHubRequest, type GitHubRequest } from "../support/github/openapi.js";

const checkRun = { name: "slipway / plan", head_sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e" };

describe("validateGitHubRequest accepts what GitHub documents", () => {
  it.each<[string, GitHubRequest, string]>([
    ["a check run", { method: "POST", path: "/repos/o/r/check-runs", body: checkRun }, "checks/create"],
    [
      "a completed check run with output, as a JSON string",
      {
        method: "POST",
        path: "/repos/o/r/check-runs",
        body: JSON.stringify({
          ...checkRun,
          status: "completed",
          conclusion: "failure",
          completed_at: "2024-05-01T12:00:00Z",
          output: { title: "1 to change", summary: "…", annotations: [{ path: "a.yaml", start_line: 1, end_line: 1, annotation_level: "warning", message: "m" }] },
        }),
      },
      "checks/create",
    ],
    ["an edited comment", { method: "PATCH", path: "/repos/o/r/issues/comments/42", body: { body: "updated" } }, "issues/update-comment"],
    ["a literal segment over a parameter", { method: "GET", path: "/repos/o/r/issues/comments?per_page=100" }, "issues/list-comments-for-repo"],
    ["a permission check", { method: "GET", path: "/repos/o/r/collaborators/octocat/permission" }, "repos/get-collaborator-permission-level"],
    ["an encoded path parameter", { method: "GET", path: "/repos/o/r/contents/.github%2Fslipway.yml?ref=main" }, "repos/get-content"],
    ["a full URL", { method: "GET", path: "https://api.github.com/repos/o/r/pulls/1" }, "pulls/get"],
    [
      "a deployment with a nullable and a free-form field",
      { method: "POST", path: "/repos/o/r/deployments", body: { ref: "main", auto_merge: false, required_contexts: [], payload: { a: 1 } } },
      "repos/create-deployment",
    ],
    ["an issue with a null milestone (nullable oneOf)", { method: "POST", path: "/repos/o/r/issues", body: { title: "t", milestone: null } }, "issues/create"],
    ["an installation token without a body", { method: "POST", path: "/app/installations/7/access_tokens" }, "apps/create-installation-access-token"],
    ["a GraphQL query", { method: "POST", path: "/graphql", body: { query: "query { viewer { login } }", variables: {} } }, "graphql"],
  ])("%s", (_name, request, operationId) => {
    expect(validateGitHubRequest(request)).toEqual({ operationId });
  });
});

describe("validateGitHubRequest rejects what GitHub does not document", () => {
  it.each<[string, GitHubRequest, RegExp]>([
    ["an unknown conclusion", { method: "POST", path: "/repos/o/r/check-runs", body: { ...checkRun, conclusion: "great" } }, /body\/conclusion must be equal to one of the allowed values: "action_required"/],
    ["a check run without a name", { method: "POST", path: "/repos/o/r/check-runs", body: { head_sha: "abc" } }, /body must have required property 'name'/],
    ["a misspelt field", { method: "POST", path: "/repos/o/r/check-runs", body: { ...checkRun, output: { title: "t", sumary: "s" } } }, /body\/output must NOT have additional properties: "sumary"/],
    ["a summary over GitHub's limit", { method: "POST", path: "/repos/o/r/check-runs", body: { ...checkRun, output: { title: "t", summary: "x".repeat(65_536) } } }, /body\/output\/summary must NOT have more than 65535 characters/],
    ["an unknown path", { method: "GET", path: "/repos/o/r/slipway" }, /no path template in GitHub's REST API matches \/repos\/o\/r\/slipway/],
    ["a method the path lacks", { method: "DELETE", path: "/repos/o/r/check-runs" }, /\/repos\/\{owner\}\/\{repo\}\/check-runs documents POST, not DELETE/],
    ["a missing body", { method: "PATCH", path: "/repos/o/r/issues/comments/42" }, /request body is required/],
    ["a body that is not JSON", { method: "PATCH", path: "/repos/o/r/issues/comments/42", body: "body=x" }, /not JSON/],
    ["an id that is not a number", { method: "PATCH", path: "/repos/o/r/issues/comments/undefined", body: { body: "x" } }, /path\/comment_id must be integer/],
    ["a missing required query parameter", { method: "GET", path: "/search/issues" }, /query must have required property 'q'/],
    ["an undocumented query parameter", { method: "GET", path: "/repos/o/r/issues?per_pgae=100" }, /query must NOT have additional properties: "per_pgae"/],
    ["another host", { method: "GET", path: "https://uploads.github.com/repos/o/r" }, /uploads.github.com is not api.github.com/],
    ["a GraphQL request without a query", { method: "POST", path: "/graphql", body: { variables: {} } }, /body must have required property 'query'/],
  ])("%s", (_name, request, message) => {
    expect(() => validateGitHubRequest(request)).toThrow(message);
  });

  it("names the operation and links its documentation", () => {
    const error = catchError(() => validateGitHubRequest({ method: "POST", path: "/repos/o/r/check-runs", body: {} }));
    expect(error).toBeInstanceOf(GitHubRequestMismatchError);
    expect(error).toMatchObject({ operationId: "checks/create" });
    expect(error.message).toContain("POST /repos/o/r/check-runs (checks/create) does not match GitHub's OpenAPI description");
    expect(error.message).toContain("see https://docs.github.com/rest/");
  });

  it("allows unknown body fields when asked, as GitHub itself ignores them", () => {
    const body = { ...checkRun, output: { title: "t", summary: "s", sumary: "s" } };
    expect(validateGitHubRequest({ method: "POST", path: "/repos/o/r/check-runs", body, unknownBodyProperties: "allow" })).toEqual({
      operationId: "checks/create",
    });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected a throw");
}
