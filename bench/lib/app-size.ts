// One size of bench:app: a namespace holding the "before" objects, a pull request whose head
// changes some of them, and the built app (app-process.ts) reaching the API server through a
// proxy that times each request (test/support/api-proxy.ts), with GitHub played by the fake. Each
// run (one untimed warm-up first) delivers a `pull_request.synchronize` for a new head commit of
// the same files, and times the API server's limit for the same plan; the order rotates per run.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { startApiProxy, type ApiProxy } from "../../test/support/api-proxy.js";
import { limitRequests, runApiLimit } from "./api-limit.js";
import { benchRepo } from "./app-apply.js";
import { prepareBase, pullRequestFiles, runAppPlan, type AppPlanRun } from "./app-plan.js";
import { startApp, type AppProcess } from "./app-process.js";
import { checkGitHubTraffic } from "./apply-size.js";
import { CheckFailed } from "./compare.js";
import { startFakeGitHub } from "./fake-github.js";
import { seedNamespace } from "./scenario.js";
import { connect, type BenchCluster } from "./tools.js";

export interface AppSizeResult {
  size: number;
  /** Objects whose manifest the pull request changes. */
  changed: number;
  slipway: AppPlanRun[];
  /** With --before-app: the other build, in the same runs. */
  before: AppPlanRun[];
  limitSeconds: number[];
  limitRequests: number;
  /** The plan's check run title, e.g. `4 to change`. */
  title: string;
}

type Tool = "slipway" | "before" | "limit";

export async function benchAppSize(params: { size: number; runs: number; cluster: BenchCluster; workDir: string; log: (line: string) => void; beforeApp?: string }): Promise<AppSizeResult> {
  const { size, cluster, log } = params;
  const namespace = `app-${size}-${randomBytes(3).toString("hex")}`;
  const files = pullRequestFiles({ size, namespace });
  const seeding = await connect(cluster.kubeconfigPath);
  try {
    await seedNamespace({ store: seeding.store, namespace, objects: files.before.flatMap((app) => app.before) });
  } finally {
    seeding.client.close();
  }
  const limit = limitRequests({ namespace, objects: files.before.flatMap((app) => app.after).map((object) => ({ kind: object.kind, name: object.metadata.name ?? "", body: object })) });
  const result: AppSizeResult = { size, changed: files.changed, slipway: [], before: [], limitSeconds: [], limitRequests: limit.length, title: "" };

  const github = await startFakeGitHub(benchRepo);
  const proxy = await startApiProxy({ kubeconfigPath: cluster.kubeconfigPath, rules: {} });
  const apps: { slipway?: AppProcess; before?: AppProcess } = {};
  try {
    const kubeconfigPath = await writeProxyKubeconfig(proxy, params.workDir);
    apps.slipway = await startApp({ kubeconfigPath, githubHost: github.host, workDir: params.workDir, label: "plan-app" });
    if (params.beforeApp) apps.before = await startApp({ kubeconfigPath, githubHost: github.host, workDir: params.workDir, server: params.beforeApp, label: "plan-before-app" });
    const baseSha = prepareBase(github, files);
    const tools: Tool[] = ["slipway", ...(apps.before ? ["before" as const] : []), "limit"];
    for (let run = 0; run <= params.runs; run++) {
      const label = run === 0 ? "warm-up" : `run ${run}/${params.runs}`;
      const timed = new Map<Tool, AppPlanRun | number>();
      const plan = async (app: AppProcess, tool: Tool) => {
        const planned = await runAppPlan({ app, github, kube: proxy.seen, files, baseSha });
        if (!/\bto change\b/.test(planned.title) || planned.conclusion === "failure") throw new CheckFailed(`${size} objects, ${label}, ${tool}: the plan's check run says "${planned.title}" (${planned.conclusion}), not the change`);
        result.title = planned.title;
        timed.set(tool, planned);
      };
      const runs: Record<Tool, () => Promise<void>> = {
        slipway: () => plan(apps.slipway as AppProcess, "slipway"),
        before: () => plan(apps.before as AppProcess, "before"),
        limit: async () => void timed.set("limit", (await runApiLimit({ kubeconfigPath: cluster.kubeconfigPath, requests: limit })).seconds),
      };
      for (let step = 0; step < tools.length; step++) await runs[tools[(run + step) % tools.length] as Tool]();
      log(`${size} objects, ${label}: ${tools.map((tool) => describe(tool, timed.get(tool))).join("; ")}`);
      if (run === 0) continue;
      result.slipway.push(timed.get("slipway") as AppPlanRun);
      if (timed.has("before")) result.before.push(timed.get("before") as AppPlanRun);
      result.limitSeconds.push(timed.get("limit") as number);
    }
    checkGitHubTraffic(github);
    return result;
  } finally {
    await apps.before?.stop();
    await apps.slipway?.stop();
    await proxy.close();
    await github.close();
  }
}

/** The proxy's address as a kubeconfig file, for the app's process. */
async function writeProxyKubeconfig(proxy: ApiProxy, workDir: string): Promise<string> {
  const path = join(workDir, "proxy-kubeconfig.yaml");
  await writeFile(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      // Plain HTTP to the proxy on loopback; the proxy speaks TLS to the API server.
      clusters: [{ name: "proxy", cluster: { server: proxy.server, "insecure-skip-tls-verify": true } }],
      users: [{ name: "admin", user: { token: proxy.token } }],
      contexts: [{ name: "proxy", context: { cluster: "proxy", user: "admin" } }],
      "current-context": "proxy",
    }),
  );
  return path;
}

function describe(tool: Tool, timed: AppPlanRun | number | undefined): string {
  if (typeof timed === "number") return `${tool} ${timed.toFixed(3)} s`;
  if (!timed) return `${tool} ?`;
  const own = timed.seconds * 1000 - timed.eitherMs;
  return `${tool} ${timed.seconds.toFixed(3)} s\n    ${timed.timeline}\n    (GitHub ${timed.githubMs.toFixed(0)} ms in ${timed.githubRequests} requests, API server ${timed.kubeMs.toFixed(0)} ms in ${timed.kubeRequests}, either ${timed.eitherMs.toFixed(0)} ms, Slipway's own ${own.toFixed(0)} ms)`;
}
