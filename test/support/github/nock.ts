// GitHub is the one boundary tests cannot reach, so they talk to nock instead. `mockGitHub()` returns
// the nock scope for https://api.github.com and makes three things fail the test, even when the code
// under test swallows the error: a request with no interceptor, a request that GitHub's OpenAPI
// description does not allow (checked even when an interceptor matched, since nock would happily
// answer it), and any connection outside localhost. Only interceptors added to the returned scope are
// checked: add them there, not to a separate `nock("https://api.github.com")`.
// The scope's `persist()` is refused: nock applies it to the whole scope, so it made every
// `.times(1)` interceptor, added before or after, answer forever (a branch's first head answered
// every later read of the branch). `anyNumberOfTimes` makes one interceptor answer any number of requests.
import type { ClientRequest } from "node:http";
import nock from "nock";
import { onTestFinished } from "vitest";
import { validateGitHubRequest, type GitHubRequest } from "./openapi.js";

const GITHUB_API = "https://api.github.com";

export interface RecordedGitHubRequest {
  method: string;
  /** Path and query, e.g. `/repos/o/r/check-runs`. */
  path: string;
  /** Parsed JSON when the body is JSON, the raw string otherwise, `undefined` when empty. */
  body: unknown;
  /** The OpenAPI operation, when the request satisfied it. */
  operationId: string | undefined;
}

export type GitHubMock = nock.Scope & {
  /** Every request that reached an interceptor, in order. */
  readonly requests: readonly RecordedGitHubRequest[];
  /** Throws if an interceptor went unused or if the test already sent something GitHub would refuse. */
  assertNoPendingMocks(): void;
};

export interface MockGitHubOptions {
  /** See `GitHubRequest.unknownBodyProperties`; "reject" unless a test says otherwise. */
  unknownBodyProperties?: GitHubRequest["unknownBodyProperties"];
}

let active = false;

/** Call inside a test or `beforeEach`; it is undone, and fails the test on bad traffic, when the test ends. */
export function mockGitHub(options: MockGitHubOptions = {}): GitHubMock {
  const session = createGitHubMock(options);
  onTestFinished(() => session.finish());
  return session.github;
}

/**
 * `mockGitHub` without the test hook, for a suite-wide mock or for testing the harness itself:
 * `finish()` restores nock and then throws if anything unexpected was sent.
 */
export function createGitHubMock(options: MockGitHubOptions = {}): { github: GitHubMock; finish: () => void } {
  if (active) throw new Error("GitHub is already mocked in this test; reuse the scope mockGitHub() returned");
  active = true;
  // Kubernetes integration tests talk to a local kube-apiserver, so loopback stays reachable.
  nock.disableNetConnect();
  nock.enableNetConnect(isLoopback);

  const requests: RecordedGitHubRequest[] = [];
  const problems: string[] = [];
  const scope = nock(GITHUB_API);

  // nock emits "request" once an interceptor matched, before it answers.
  scope.on("request", (req: ClientRequest, _interceptor: unknown, rawBody: string) => {
    const request = { method: req.method, path: req.path, body: parseBody(rawBody) };
    try {
      const { operationId } = validateGitHubRequest({ ...request, unknownBodyProperties: options.unknownBodyProperties });
      requests.push({ ...request, operationId });
    } catch (error) {
      requests.push({ ...request, operationId: undefined });
      const message = error instanceof Error ? error.message : String(error);
      problems.push(message);
      // Fail the call itself too, so the code under test sees what GitHub would have refused.
      req.destroy(new Error(message));
    }
  });

  const onNoMatch = (...args: unknown[]): void => {
    const target = describeUnmatched(args);
    if (target && !isLoopback(target.host)) {
      problems.push(`unexpected request ${target.method} ${target.url}: no interceptor matches it; add one, e.g. github.${target.method.toLowerCase()}("${target.path}").reply(200, {...})`);
    }
  };
  nock.emitter.on("no match", onNoMatch);

  const assertNoProblems = (): void => {
    if (problems.length > 0) throw new Error(`GitHub requests this test should not send:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  };
  const assertNoPendingMocks = (): void => {
    assertNoProblems();
    const pending = scope.pendingMocks();
    if (pending.length > 0) throw new Error(`GitHub interceptors never called:\n${pending.map((p) => `  - ${p}`).join("\n")}`);
  };

  const finish = (): void => {
    nock.emitter.off("no match", onNoMatch);
    scope.removeAllListeners("request");
    nock.abortPendingRequests();
    nock.cleanAll();
    nock.enableNetConnect(); // nock's own default, for test files that do not mock GitHub
    active = false;
    assertNoProblems();
  };

  const persist = (): never => {
    throw new Error("github.persist() would make every interceptor of the scope answer forever, the one-shot ones too; use anyNumberOfTimes(github.get(...)).reply(...) for one interceptor");
  };
  const github = Object.assign(scope, { requests, assertNoPendingMocks, done: assertNoPendingMocks, persist });
  return { github, finish };
}

/** An interceptor that answers any number of requests, none required, leaving the scope's others one-shot. */
export function anyNumberOfTimes(interceptor: nock.Interceptor): nock.Interceptor {
  return interceptor.times(Infinity).optionally();
}

function parseBody(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function isLoopback(host: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)(:\d+)?$/.test(host);
}

/**
 * nock emits "no match" with `(options)` when no interceptor exists for the host and with
 * `(req, options, body)` when interceptors exist but none matches.
 */
function describeUnmatched(args: unknown[]): { method: string; host: string; path: string; url: string } | undefined {
  const options = (args.length >= 2 ? args[1] : args[0]) as
    | { method?: string; host?: string; hostname?: string; path?: string; proto?: string; protocol?: string }
    | undefined;
  if (!options?.host && !options?.hostname) return undefined;
  const host = options.host ?? options.hostname ?? "";
  const method = (options.method ?? "GET").toUpperCase();
  const path = options.path ?? "/";
  const protocol = options.proto ?? options.protocol?.replace(/:$/, "") ?? "https";
  return { method, host, path, url: `${protocol}://${host.replace(/:443$/, "")}${path}` };
}
