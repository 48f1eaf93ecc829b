// One timed apply as users see it: a push delivered to the built app (app-process.ts), timed from
// the delivery to the moment GitHub (the fake) is told the `slipway/apply (<env>)` check run is
// completed. The commit (its .github/slipway.yml, the manifests, its tarball) is put in the fake
// before the clock starts; the run ends when the app has finished the job (its comment on the
// merged pull request), so the next run does not overlap it, and the next starts after a quiet
// spell (app-process.ts), as a push after a while does.
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import type { ApplyAction } from "../../src/apply/types.js";
import { applyCheckRunName } from "../../src/render/apply-report.js";
import { examplePayload } from "../../test/support/github/payloads.js";
import { gitTarball } from "../../test/support/github/pull-request-fixture.js";
import type { AppProcess } from "./app-process.js";
import type { AppliedReport } from "./compare.js";
import { benchEnvironment } from "./apps.js";
import type { FakeGitHub, SeenRequest } from "./fake-github.js";
import { readManifests } from "./tools.js";

export const benchRepo = { owner: "bench", repo: "shop" };
/** The pull request every pushed commit merged: the app comments on it, as on a real merge. */
const mergedPull = 7;

export interface AppApplyRun {
  seconds: number;
  /** What the completed check run says, as a report: its conclusion and its table of objects. */
  report: AppliedReport;
  /** The GitHub requests from the delivery to the check run's completion, when each came. */
  timeline: string;
}

export async function runAppApply(params: { app: AppProcess; github: FakeGitHub; namespace: string; dir: string }): Promise<AppApplyRun> {
  const { app, github } = params;
  const sha = randomBytes(20).toString("hex");
  const files: Record<string, string> = { ".github/slipway.yml": repoConfig(params.namespace) };
  for (const file of await readManifests(params.dir)) files[`apps/${file.path}`] = file.content.toString("utf8");
  github.addCommit({ sha, files, tarball: gitTarball(files, `${benchRepo.owner}-${benchRepo.repo}-${sha.slice(0, 7)}/`) });
  github.setBranch("main", sha);
  github.setMergedPull(sha, mergedPull);

  const name = applyCheckRunName(benchEnvironment);
  const completed = github.waitFor((request) => {
    const run = checkRunOf(github, request);
    return request.method === "PATCH" && (request.body as { status?: string } | undefined)?.status === "completed" && run?.head_sha === sha && run.name === name;
  });
  const finished = github.waitFor((request) => request.method === "POST" && request.path === `/repos/${benchRepo.owner}/${benchRepo.repo}/issues/${mergedPull}/comments`);
  await app.waitQuiet();
  const { sentMs } = await app.deliver("push", pushPayload(sha));
  const done = await completed;
  await finished;
  app.markQuiet();
  const run = checkRunOf(github, done) ?? {};
  return { seconds: (done.arrivedMs - sentMs) / 1000, report: reportOf(run), timeline: describeTimeline(github.requests, sentMs, done.arrivedMs) };
}

function repoConfig(namespace: string): string {
  // No controllers run in the benchmark's cluster, so no Deployment becomes ready: kubectl does not wait either.
  return stringify({ environments: [{ name: benchEnvironment, paths: ["apps/**/*.yaml"], namespace, readinessTimeoutSeconds: 0 }] });
}

function pushPayload(sha: string): unknown {
  return examplePayload("push", undefined, {
    ref: "refs/heads/main",
    after: sha,
    deleted: false,
    repository: { name: benchRepo.repo, full_name: `${benchRepo.owner}/${benchRepo.repo}`, owner: { login: benchRepo.owner, name: benchRepo.owner }, default_branch: "main" },
  });
}

function checkRunOf(github: FakeGitHub, request: SeenRequest): Record<string, unknown> | undefined {
  const id = /\/check-runs\/(\d+)$/.exec(request.path)?.[1];
  return id === undefined ? undefined : github.checkRuns.get(Number(id));
}

/** The check run's table rows (`| \`Kind/ns/name\` | created | … |`) as a report's objects. */
function reportOf(run: Record<string, unknown>): AppliedReport {
  const output = (run.output ?? {}) as { title?: string; text?: string };
  const objects = (output.text ?? "").split("\n").flatMap((line) => {
    const match = /^\| `([^`]+)` \| ([a-z ]+) \|/.exec(line);
    return match ? [{ name: match[1] ?? "", action: (match[2] ?? "").replace(" ", "-") as ApplyAction }] : [];
  });
  return { outcome: run.conclusion === "success" ? "applied" : "failed", objects, ...(run.conclusion === "success" ? {} : { message: output.title ?? "" }) };
}

/** `+3 ms GET branches/main, +9 ms POST check-runs, …`: when each GitHub request arrived after the delivery. */
function describeTimeline(requests: readonly SeenRequest[], fromMs: number, toMs: number): string {
  return requests
    .filter((request) => request.arrivedMs >= fromMs && request.arrivedMs <= toMs)
    .map((request) => `+${Math.round(request.arrivedMs - fromMs)} ms ${request.method} ${request.path.replace(/^\/repos\/[^/]+\/[^/]+\//, "").split("?")[0]}`)
    .join(", ");
}
