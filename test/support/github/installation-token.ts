// Probot authenticates as an installation by minting a token the first time a handler uses
// `context.octokit`; tests answer that request like GitHub does.
import type nock from "nock";

export interface InstallationTokenOptions {
  installationId: number;
  token?: string;
  /** How many tokens to hand out; Probot caches one per installation for the life of the instance. */
  times?: number;
}

/** Answers `POST /app/installations/{id}/access_tokens` with a response shaped like GitHub's. */
export function interceptInstallationToken(github: nock.Scope, options: InstallationTokenOptions): nock.Scope {
  return github
    .post(`/app/installations/${options.installationId}/access_tokens`)
    .times(options.times ?? 1)
    .reply(201, {
      token: options.token ?? "ghs_slipwaytesttoken",
      // Installation tokens live for an hour (REFERENCE.md).
      expires_at: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
      permissions: { checks: "write", contents: "read", issues: "write", pull_requests: "write", metadata: "read" },
      repository_selection: "all",
    });
}
