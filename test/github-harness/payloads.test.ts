// Payload helpers hand out real deliveries, each a fresh copy, shaped like what an app receives.
import { describe, expect, it } from "vitest";
import { EXAMPLE_INSTALLATION_ID, examplePayload } from "../support/github/payloads.js";

describe("examplePayload", () => {
  it.each([
    ["pull_request", "opened"],
    ["issue_comment", "created"],
    ["check_run", "rerequested"],
    ["check_run", "requested_action"],
  ] as const)("finds %s.%s with an installation", (name, action) => {
    const payload = examplePayload(name, action);
    expect(payload.action).toBe(action);
    expect(payload.installation?.id).toEqual(expect.any(Number));
  });

  it("finds events without actions", () => {
    const push = examplePayload("push");
    expect(push.ref).toMatch(/^refs\//);
    expect(push.installation?.id).toEqual(expect.any(Number));
  });

  it("adds the installation a repository-webhook example lacks", () => {
    // Every `check_run.created` example was captured from a repository webhook.
    expect(examplePayload("check_run", "created").installation).toEqual({ id: EXAMPLE_INSTALLATION_ID, node_id: expect.any(String) });
  });

  it("returns a fresh copy each time", () => {
    const first = examplePayload("issue_comment", "created");
    first.comment.body = "changed";
    expect(examplePayload("issue_comment", "created").comment.body).not.toBe("changed");
  });

  it("merges overrides deeply and replaces arrays", () => {
    const payload = examplePayload("pull_request", "opened", {
      pull_request: { head: { sha: "abc123" }, labels: [] },
      repository: { name: "infra" },
    });
    expect(payload.pull_request.head.sha).toBe("abc123");
    expect(payload.pull_request.head.ref).toEqual(expect.any(String));
    expect(payload.pull_request.labels).toEqual([]);
    expect(payload.repository.name).toBe("infra");
    expect(payload.repository.owner.login).toEqual(expect.any(String));
  });

  it("names the actions that exist when one does not", () => {
    expect(() => examplePayload("issue_comment", "pinned" as "created")).toThrow(
      /no issue_comment.pinned example; issue_comment has created, deleted, edited/,
    );
  });
});
