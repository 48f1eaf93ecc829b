// The package as users install a command line: `npm pack` (whose prepack builds it) from a copy of
// the sources, the tarball installed into an empty directory by `npm install`, and `npx slipway`
// run there: --version, --help, and a plan against the test cluster. (Not `npx --no slipway
// --version`: npx takes that flag as its own.) The copy keeps the repository's lib/ out of it;
// its node_modules is the repository's, as `npm ci` left it.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithCluster, useCluster } from "../support/cluster.js";

const execFileAsync = promisify(execFile);
const root = resolve(import.meta.dirname, "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeout ?? 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    if (failed.killed) throw new Error(`${command} ${args.join(" ")} did not finish in time`, { cause: error });
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describeWithCluster("the npm package", () => {
  const cluster = useCluster();
  let work: string;
  let installDir: string;
  let tarball: string;
  let packed: string[];
  // npm's own settings only: no cache of a developer's, no update check; the installed command runs with the tests' environment.
  const npmEnv = (): NodeJS.ProcessEnv => ({ ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "slipway-pack-"));
    const source = join(work, "source");
    mkdirSync(source);
    for (const entry of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "app.yml", "README.md", "src", "scripts", "schema"]) {
      cpSync(join(root, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(realpathSync(join(root, "node_modules")), join(source, "node_modules"));

    // --json names the tarball and lists what it holds.
    const pack = await run(npm, ["pack", "--json", "--pack-destination", work], { cwd: source, env: npmEnv(), timeout: 240_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const [report] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(work, report!.filename);
    packed = report!.files.map((file) => file.path);

    installDir = join(work, "project");
    mkdirSync(installDir);
    writeFileSync(join(installDir, "package.json"), JSON.stringify({ name: "uses-slipway", private: true }));
    const install = await run(npm, ["install", "--prefer-offline", "--no-package-lock", tarball], { cwd: installDir, env: npmEnv(), timeout: 300_000 });
    expect(install.code, install.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs the built command, the server and what the README points at, and no sources or tests", () => {
    expect(packed).toEqual(expect.arrayContaining(["package.json", "README.md", "app.yml", "lib/bin/slipway.js", "lib/bin/parse-worker.js", "lib/server.js", "schema/slipway.schema.json"]));
    expect(packed.filter((path) => /^(src|test|bench|fixtures|scripts)\//.test(path))).toEqual([]);
  });

  it("runs `npx slipway --version` and `--help` where it was installed", async () => {
    const version = await run(npx, ["slipway", "--version"], { cwd: installDir });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^slipway 0\.1\.0 \(node v\d+\.\d+\.\d+\)\n$/);

    const help = await run(npx, ["slipway", "--help"], { cwd: installDir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: slipway plan [PATH...] [options]");
    expect(help.stdout).toContain("Usage: slipway canary status|promote|abort|pause|resume");
  });

  it("plans manifests against the cluster with `npx slipway plan`", async () => {
    const ctx = await cluster();
    const ns = await ctx.namespace("pack");
    const manifests = join(installDir, "deploy");
    mkdirSync(manifests);
    cpSync(join(root, "fixtures", "manifests", "app.yaml"), join(manifests, "app.yaml"));
    const env = { ...process.env, KUBECONFIG: ctx.kubeconfigPath, XDG_CACHE_HOME: join(work, "cache") };

    const planned = await run(npx, ["slipway", "plan", "deploy", "--namespace", ns, "--no-color"], { cwd: installDir, env });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(1);
    expect(planned.stdout).toContain("3 to create");
    expect(planned.stdout).toContain(`+ Deployment/${ns}/web will be created (deploy/app.yaml:2)`);
    // Planned, not applied.
    expect(await ctx.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: "web" })).toBeUndefined();
  });

  it("installs a server that starts only with its settings, naming what is missing", async () => {
    const server = join(installDir, "node_modules", "slipway", "lib", "server.js");
    expect(readdirSync(join(installDir, "node_modules", ".bin"))).toContain("slipway");
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" };
    const started = await run(process.execPath, [server], { cwd: installDir, env, timeout: 30_000 });
    expect(started.code).not.toBe(0);
    expect(started.stderr + started.stdout).toMatch(/APP_ID/);
  });
});
