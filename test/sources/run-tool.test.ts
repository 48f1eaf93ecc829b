import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runTool, type RunToolParams } from "../../src/sources/run-tool.js";
import { withToolEnvironment } from "../../src/sources/tool-environment.js";

const node = process.execPath;
const base: Omit<RunToolParams, "args"> = { command: node, cwd: tmpdir(), env: {}, timeoutMs: 10_000, maxOutputBytes: 1024 * 1024, maxErrorBytes: 1024 };
const run = (script: string, overrides: Partial<RunToolParams> = {}) => runTool({ ...base, args: ["-e", script], ...overrides });

/** Running, as opposed to gone or a zombie (killed, and not yet reaped by whoever adopted it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

describe("runTool", () => {
  afterEach(() => {
    delete process.env.GITHUB_TOKEN;
    delete process.env.PRIVATE_KEY;
  });

  it("returns what the tool printed and its exit code", async () => {
    const outcome = await run("process.stdout.write('kind: A\\n'); process.stderr.write('warned'); process.exit(3)");
    expect(outcome).toMatchObject({ kind: "exited", code: 3, stderr: "warned" });
    expect(outcome.kind === "exited" && outcome.stdout.toString()).toBe("kind: A\n");
  });

  it("kills the tool and what it started at the timeout, even when they ignore SIGTERM", async () => {
    const pidFile = join(tmpdir(), `slipway-run-tool-${process.pid}-${Date.now()}`);
    const grandchild = `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)`;
    const script = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      process.on('SIGTERM', () => {});
      setInterval(() => {}, 1000);`;
    const started = Date.now();
    const outcome = await run(script, { timeoutMs: 1500 });
    expect(outcome.kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchildPid = Number(readFileSync(pidFile, "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isRunning(grandchildPid)).toBe(false);
  });

  it("stops reading and kills the tool at the output cap, keeping none of its output", async () => {
    const before = process.memoryUsage().rss;
    const outcome = await run("const chunk = 'x'.repeat(65536); (function write() { while (process.stdout.write(chunk)); process.stdout.once('drain', write); })()", {
      maxOutputBytes: 4 * 1024 * 1024,
    });
    expect(outcome.kind).toBe("output-cap");
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it("keeps the error output only up to its cap", async () => {
    const outcome = await run("process.stderr.write('e'.repeat(5000))");
    expect(outcome.kind === "exited" && outcome.stderr).toMatch(/^e{1024}\n\[… more error output dropped\]$/);
  });

  it("gives the tool none of the server's environment", async () => {
    process.env.GITHUB_TOKEN = "ghs_secret";
    process.env.PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----";
    const outcome = await withToolEnvironment((env) => run("process.stdout.write(JSON.stringify(process.env))", { env }));
    const env = JSON.parse(outcome.kind === "exited" ? outcome.stdout.toString() : "{}") as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(
      ["HELM_NO_PLUGINS", "HELM_PLUGINS", "HELM_REGISTRY_CONFIG", "HELM_REPOSITORY_CONFIG", "HOME", "KUBECONFIG", "KUSTOMIZE_PLUGIN_HOME", "PATH", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"].sort(),
    );
    expect(JSON.stringify(env)).not.toMatch(/ghs_secret|PRIVATE KEY/);
    expect(existsSync(env.HOME ?? "")).toBe(false);
  });

  it("says so when the binary cannot be started", async () => {
    expect(await runTool({ ...base, command: "/nonexistent/kustomize", args: [] })).toMatchObject({ kind: "spawn-failed" });
  });
});
