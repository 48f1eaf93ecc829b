// A server that stays responsive under a huge pull request: while Slipway plans a fork's pull
// request of 100 files of 1 MiB each (read from a streamed tarball and parsed in a worker
// thread), a push delivered through the real HTTP server is answered at once and applied to the
// real test cluster. GitHub is nock, every request checked against its OpenAPI description.
import { afterEach, expect, it, vi } from "vitest";
import { createSlipwayApp } from "../../src/github/app.js";
import type { RunningServer } from "../../src/http/http-server.js";
import { startWebhookServer } from "../../src/http/start-webhook-server.js";
import { WorkQueue } from "../../src/jobs/queue.js";
import { sharedParsePool } from "../../src/planning/parse-pool.js";
import { bigManifests } from "../support/big-manifests.js";
import { describeWithCluster, useCluster, testClusters } from "../support/cluster.js";
import { interceptInstallationToken } from "../support/github/installation-token.js";
import { mockGitHub } from "../support/github/nock.js";
import { EXAMPLE_INSTALLATION_ID, examplePayload } from "../support/github/payloads.js";
import { createUnloadedTestProbot } from "../support/github/probot.js";
import {
  bodiesOf,
  interceptBranchHead,
  interceptChangedFiles,
  interceptCheckRun,
  interceptConfig,
  interceptStickyComment,
  interceptTarball,
  type PullRequestFixture,
} from "../support/github/pull-request-fixture.js";
import { signDelivery } from "../support/github/sign.js";
import { testConfigHashKey, testPolicy } from "../support/policy.js";

const owner = "Codertocat";
const repo = "Hello-World";
const base = `/repos/${owner}/${repo}`;
const secret = "a-webhook-secret-of-more-than-20-characters";
const webhookPath = "/api/github/webhooks";
const configFor = (namespace: string) => `environments:\n  - name: staging\n    paths: ["deploy/**/*.yaml"]\n    namespace: ${namespace}\nforks: validate\n`;

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Posts a signed delivery to the server; resolves with the status and how long the answer took. */
async function deliver(server: RunningServer, event: string, payload: unknown): Promise<{ status: number; ms: number }> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const response = await fetch(`${server.url}${webhookPath}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": signDelivery(secret, body),
    },
    body,
  });
  await response.text();
  return { status: response.status, ms: performance.now() - started };
}

/** The longest wait of a 10 ms timer, in windows the caller reads and resets. */
function stallMeter() {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 10);
    last = now;
  }, 10);
  return {
    take: () => {
      const value = longest;
      longest = 0;
      return value;
    },
    stop: () => clearInterval(timer),
  };
}

describeWithCluster("a server planning a huge fork pull request", () => {
  const cluster = useCluster();

  it("answers a push delivered meanwhile at once, and applies it", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("busy");
    const github = mockGitHub();
    interceptInstallationToken(github, { installationId: EXAMPLE_INSTALLATION_ID });

    // The fork's pull request: 100 files of 1 MiB of ConfigMaps (8,520 objects), all added.
    const pr: PullRequestFixture = { owner, repo, number: 9, baseSha: "e".repeat(40), headSha: "f".repeat(40), base: {}, head: bigManifests(100, "deploy", 1024 * 1024, 200) };
    interceptConfig(github, pr, configFor(ns));
    interceptChangedFiles(github, pr);
    interceptCheckRun(github, pr, 701, 1);
    interceptStickyComment(github, pr);

    // The push: one ConfigMap, applied to the cluster.
    const sha = "d1".repeat(20);
    const timeline: Record<string, number> = {};
    interceptConfig(github, { owner, repo }, configFor(ns), { ref: sha });
    github.post(`${base}/check-runs`).reply(201, { id: 801, html_url: `https://github.com/${owner}/${repo}/runs/801` });
    interceptBranchHead(github, { owner, repo }, "main", sha);
    github.post(`${base}/deployments`).reply(201, { id: 901 });
    github.post(`${base}/deployments/901/statuses`).times(2).reply(201, { id: 1 });
    interceptTarball(github, { owner, repo }, sha, { "deploy/settings.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: "info"\n' });
    github.patch(`${base}/check-runs/801`).reply(200, () => ((timeline.applyReported = performance.now()), { id: 801 }));
    github.get(`${base}/commits/${sha}/pulls`).reply(200, []);

    // The plan and the apply side by side, in pools of their own as the server runs them.
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 }, rememberDeliveries: 100 });
    const clusters = testClusters();
    const app = createSlipwayApp({ clusters, queue, fieldManager: "slipway", policy: testPolicy(), configHashKey: testConfigHashKey });
    running = await startWebhookServer({ probot: createUnloadedTestProbot({ secret }), app, webhookPath, maxBodyBytes: 25 * 1024 * 1024, port: 0, host: "127.0.0.1" });
    const parse = vi.spyOn(sharedParsePool(), "parse");
    const stalls = stallMeter();

    const opened = await deliver(running, "pull_request", {
      ...examplePayload("pull_request", "opened", {
        number: pr.number,
        pull_request: {
          number: pr.number,
          state: "open",
          head: { sha: pr.headSha, repo: { full_name: "someone/Hello-World" } },
          base: { sha: pr.baseSha, repo: { full_name: `${owner}/${repo}` } },
        },
      }),
    });
    expect(opened.status).toBe(200);
    // Deliver the push once the fork's 100 files are being parsed, and a moment into it.
    await vi.waitFor(() => expect(parse.mock.calls.some(([files]) => files.length === 100)).toBe(true), { timeout: 60_000, interval: 50 });
    timeline.parseStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stallBeforePush = stalls.take();
    const pushed = await deliver(running, "push", {
      ...examplePayload("push", undefined, {
        ref: "refs/heads/main",
        after: sha,
        deleted: false,
        repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner }, default_branch: "main" },
      }),
    });
    timeline.pushAnswered = performance.now();
    expect(pushed.status).toBe(200);
    // GitHub waits 10 s; answered well within that, a delivery is never lost to a busy server.
    expect(pushed.ms).toBeLessThan(2000);

    await queue.onIdle();
    timeline.idle = performance.now();
    const stallAfterPush = stalls.take();
    stalls.stop();
    console.log(
      `push answered in ${Math.round(pushed.ms)} ms during the fork's plan (pull_request answered in ${Math.round(opened.ms)} ms); ` +
        `longest event-loop stall ${Math.round(stallBeforePush)} ms before the push, ${Math.round(stallAfterPush)} ms after; ` +
        `apply reported ${((timeline.applyReported ?? 0) - (timeline.parseStarted ?? 0)) / 1000} s after the fork's parse started, ` +
        `the fork's plan done ${((timeline.idle ?? 0) - (timeline.parseStarted ?? 0)) / 1000} s after`,
    );

    // Not only at the moment the push came: no delivery during the whole plan would have waited 2 s.
    expect(Math.max(stallBeforePush, stallAfterPush)).toBeLessThan(2000);
    github.done();
    // The push was applied: its object is in the cluster, its check run succeeded.
    const live = await ctx.store.get({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "settings" });
    expect((live?.data as Record<string, string>).level).toBe("info");
    const [applied] = bodiesOf(github, "PATCH", /check-runs\/801$/) as Array<{ conclusion: string }>;
    expect(applied?.conclusion).toBe("success");
    // The fork's plan went through: validated (no cluster for a fork), its check run completed.
    const [planned] = bodiesOf(github, "PATCH", /check-runs\/701$/) as Array<{ conclusion: string; output: { title: string } }>;
    expect(planned?.conclusion).toBe("success");
    expect(planned?.output.title).toMatch(/^\d{4} to create$/);
  }, 300_000);
});
