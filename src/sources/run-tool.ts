// Runs a rendering tool as a process of its own: no shell, a process group of its own so that a
// timeout or an output cap kills it and everything it started, and stdout kept only up to a cap
// (the rest is never read into memory). What the tool did is data; only a failure to wait for
// it at all would throw.
import { spawn } from "node:child_process";

export interface RunToolParams {
  /** Absolute path of the binary; run directly, never through a shell. */
  command: string;
  args: string[];
  cwd: string;
  /** The whole environment of the child: nothing of the server's is passed on. */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  maxErrorBytes: number;
  /** Aborting kills the process group (the server shuts down). */
  signal?: AbortSignal;
}

export type RunToolOutcome =
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }
  | { kind: "timeout"; stderr: string }
  | { kind: "output-cap"; stderr: string }
  | { kind: "aborted"; stderr: string }
  /** The binary could not be started (missing, not executable). */
  | { kind: "spawn-failed"; message: string };

export function runTool(params: RunToolParams): Promise<RunToolOutcome> {
  return new Promise((resolve) => {
    const child = spawn(params.command, params.args, {
      cwd: params.cwd,
      env: params.env,
      stdio: ["ignore", "pipe", "pipe"],
      // A group of its own: kill(-pid) reaches whatever the tool started too.
      detached: true,
      shell: false,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new BoundedText(params.maxErrorBytes);
    let stopped: "timeout" | "output-cap" | "aborted" | undefined;

    const stop = (reason: NonNullable<typeof stopped>) => {
      if (stopped) return;
      stopped = reason;
      stdout.length = 0;
      // Stop reading: what is still in the pipe is not wanted.
      child.stdout.destroy();
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop("timeout"), params.timeoutMs);
    const onAbort = () => stop("aborted");
    params.signal?.addEventListener("abort", onAbort, { once: true });
    if (params.signal?.aborted) onAbort();

    child.stdout.on("data", (chunk: Buffer) => {
      if (stopped) return;
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > params.maxOutputBytes) return stop("output-cap");
      stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));

    const finish = (outcome: RunToolOutcome) => {
      clearTimeout(timer);
      params.signal?.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    child.on("error", (error) => finish({ kind: "spawn-failed", message: error.message }));
    child.on("close", (code, signal) => {
      // A tool that exited can still have left children in its group.
      killGroup(child.pid);
      if (stopped) return finish({ kind: stopped, stderr: stderr.text() });
      finish({ kind: "exited", code, signal, stdout: Buffer.concat(stdout), stderr: stderr.text() });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

/** The first `max` bytes of a stream of text, and whether more came. */
class BoundedText {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private cut = false;

  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    const room = this.max - this.bytes;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    this.cut ||= kept !== chunk;
    this.chunks.push(kept);
    this.bytes += kept.byteLength;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.cut ? `${text}\n[… more error output dropped]` : text;
  }
}
