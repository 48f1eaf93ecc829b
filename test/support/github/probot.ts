// A real Probot for tests: it authenticates as a GitHub App with a throwaway key, so requests go
// through the same auth, token minting and Octokit plugins as in production, and nock answers them.
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit, type ApplicationFunction, type Logger } from "probot";

export interface TestProbotOptions {
  /** Authenticate with a fixed token instead of as an app; no installation token is then minted. */
  githubToken?: string;
  /** Pass e.g. `pino({ level: "debug" })` while debugging a test; silent otherwise. */
  log?: Logger;
  /** The webhook secret deliveries must be signed with; Probot's default otherwise. */
  secret?: string;
}

const TEST_APP_ID = 1;

// Retries and throttling would turn a refused request into a slow, repeated one; a test should see
// the first failure at once. The usual `ProbotOctokit.defaults({ throttle: { enabled: false } })`
// does not work in Probot 14: Probot always passes its own `throttle` object, which replaces ours,
// and plugin-throttling's limiters are shared by every instance in the process, so each test's
// first comment waited up to 3 s behind the previous test's. A defaults function runs after
// Probot's options are merged, so it has the last word.
const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

let privateKey: string | undefined;

/** An RSA key made once per worker: Probot signs its app JWT with it, and nock never checks it. */
function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    // PKCS#1 is the format GitHub hands out for app keys.
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  return privateKey;
}

/** Builds a Probot with `appFn` loaded; send it events with `await probot.receive({ id, name, payload })`. */
export async function createTestProbot(appFn: ApplicationFunction, options: TestProbotOptions = {}): Promise<Probot> {
  const probot = createUnloadedTestProbot(options);
  await probot.load(appFn);
  return probot;
}

/** The same Probot with no app loaded yet, for code that loads the app itself (Slipway's HTTP server). */
export function createUnloadedTestProbot(options: TestProbotOptions = {}): Probot {
  return new Probot({
    appId: TEST_APP_ID,
    privateKey: testPrivateKey(),
    githubToken: options.githubToken,
    secret: options.secret,
    Octokit: TestOctokit,
    log: options.log ?? pino({ level: "silent" }),
  });
}
