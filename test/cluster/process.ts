// A control-plane process started under supervise.sh, with its output in a log file.
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const supervisor = join(fileURLToPath(new URL(".", import.meta.url)), "supervise.sh");

export class ClusterProcess {
  private exited: Promise<number | null>;
  private constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /** `logDir` is removed by the supervisor if this process's parent dies without a teardown. */
  static start(params: { name: string; command: string; args: string[]; logDir: string }): ClusterProcess {
    const logFile = join(params.logDir, `${params.name}.log`);
    const fd = openSync(logFile, "a");
    try {
      const child = spawn("bash", [supervisor, String(process.pid), params.command, ...params.args], {
        stdio: ["ignore", fd, fd],
        env: { ...process.env, SUPERVISE_CLEANUP_DIR: params.logDir },
      });
      return new ClusterProcess(params.name, logFile, child);
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of the process's log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** SIGTERM, then SIGKILL after the grace period. Resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(params: {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  probe: () => Promise<T | undefined>;
  alive?: () => boolean;
  detail?: () => string;
}): Promise<T> {
  const deadline = Date.now() + params.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (params.alive && !params.alive()) {
      throw new Error(`${params.what}: the process exited\n${params.detail?.() ?? ""}`);
    }
    try {
      const result = await params.probe();
      if (result !== undefined) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${params.timeoutMs} ms waiting for ${params.what}${why}\n${params.detail?.() ?? ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, params.intervalMs ?? 200));
  }
}
