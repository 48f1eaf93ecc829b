// End to end through a real Probot: a real webhook payload in, GitHub's traffic answered by nock
// and checked against the OpenAPI description.
import type { ApplicationFunction } from "probot";
import { describe, expect, it } from "vitest";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { createGitHubMock, mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, exampleEvent } from "../support/github/payloads.js";
import { createTestProbot } from "../support/github/probot.js";

/** A tiny app: answers every new comment. */
const replyApp: ApplicationFunction = (app) => {
  app.on("issue_comment.created", async (context) => {
    await context.octokit.rest.issues.createComment(context.issue({ body: `Thanks @${context.payload.comment.user?.login}` }));
  });
};

describe("createTestProbot", () => {
  it("runs a handler against nock with an installation token minted first", async () => {
    const github = mockGitHub();
    const event = exampleEvent("issue_comment", "created", { comment: { body: "/slipway plan" } });
    const { repository, issue } = event.payload;
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github
      .post(`/repos/${repository.full_name}/issues/${issue.number}/comments`, { body: `Thanks @${event.payload.comment.user?.login}` })
      .reply(201, { id: 1 });

    const probot = await createTestProbot(replyApp);
    await probot.receive(event);

    github.done();
    expect(github.requests.map((request) => request.operationId)).toEqual([
      "apps/create-installation-access-token",
      "issues/create-comment",
    ]);
    expect(event.payload.comment.body).toBe("/slipway plan");
  });

  it("authenticates with a fixed token when given one, minting nothing", async () => {
    const github = mockGitHub();
    github
      .post("/repos/Codertocat/Hello-World/issues/1/comments")
      .matchHeader("authorization", "token ghp_fixed")
      .reply(201, { id: 1 });

    const probot = await createTestProbot(replyApp, { githubToken: "ghp_fixed" });
    await probot.receive(exampleEvent("issue_comment", "created", { issue: { number: 1 } }));

    github.done();
  });

  it("neither retries nor throttles, so a failure shows at once and tests stay fast", async () => {
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.post("/repos/Codertocat/Hello-World/issues/1/comments").reply(201, { id: 1 });
    github.post("/repos/Codertocat/Hello-World/issues/1/comments").reply(500, { message: "Server Error" });
    const event = () =>
      exampleEvent("issue_comment", "created", { issue: { number: 1 } });

    const started = performance.now();
    await (await createTestProbot(replyApp)).receive(event());
    await expect((await createTestProbot(replyApp, { githubToken: "ghp_fixed" })).receive(event())).rejects.toThrow(/Server Error/);

    // plugin-throttling spaces content-creating requests 3 s apart, process-wide.
    expect(performance.now() - started).toBeLessThan(2_000);
    github.done();
    expect(github.requests).toHaveLength(3);
  });

  it("surfaces a request GitHub would refuse as a failed delivery", async () => {
    const { github, finish } = createGitHubMock();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });
    github.post("/repos/Codertocat/Hello-World/check-runs").reply(201, { id: 1 });
    const probot = await createTestProbot((app) => {
      app.on("issue_comment.created", async (context) => {
        await context.octokit.rest.checks.create(
          context.repo({ name: "slipway", head_sha: "abc", conclusion: "great" as "success" }),
        );
      });
    });

    await expect(probot.receive(exampleEvent("issue_comment", "created"))).rejects.toThrow(/body\/conclusion must be equal to one of/);
    expect(() => finish()).toThrow(/checks\/create/);
  });
});
