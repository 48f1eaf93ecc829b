// A child process to its end, with its output: the benchmarks time kubectl as a whole command.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";

export interface CommandResult {
  /** The exit code, or the signal that killed it. */
  exit: number | string;
  stdout: string;
  stderr: string;
}

export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exit: code ?? signal ?? "a signal", stdout, stderr }));
  });
}

export const describeExit = (exit: number | string) => (typeof exit === "number" ? `exited with ${exit}` : `was killed by ${exit}`);

/** A fresh directory under `parent` for one kubectl run (its discovery cache, its temporary files), removed after it. */
export async function withRunDir<T>(parent: string, work: (runDir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true });
  const runDir = await mkdtemp(join(parent, "run-"));
  try {
    return await work(runDir);
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
