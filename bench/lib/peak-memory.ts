// A child process run to its end under GNU time, which reports the peak RSS of the command it
// ran (`%M`, kilobytes: wait4's ru_maxrss), so both tools' memory is measured the same way.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const gnuTime = "/usr/bin/time";
/** GNU time's last line of stderr, after the command's own; the marker keeps it apart. */
const marker = "slipway-bench-maxrss-kb=";

export interface TimedProcess {
  /** The exit code, or the signal that killed it. */
  exit: number | string;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, as a user waits for it. */
  seconds: number;
  /** The command's peak resident memory (NaN where /usr/bin/time is missing). */
  peakMiB: number;
}

export function runTimed(params: { command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<TimedProcess> {
  const measured = existsSync(gnuTime);
  const [command, args] = measured ? [gnuTime, ["-f", `${marker}%M`, params.command, ...params.args]] : [params.command, params.args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: params.env ?? process.env, cwd: params.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      const errText = Buffer.concat(stderr).toString();
      const at = errText.lastIndexOf(marker);
      const peakMiB = at === -1 ? NaN : Number(errText.slice(at + marker.length).trim()) / 1024;
      // GNU time says "Command exited with non-zero status N" before its format line.
      const own = at === -1 ? errText : errText.slice(0, at).replace(/Command exited with non-zero status \d+\n$/, "");
      resolve({ exit: code ?? signal ?? "a signal", stdout: Buffer.concat(stdout).toString(), stderr: own, seconds, peakMiB });
    });
  });
}

export const describeExit = (exit: number | string) => (typeof exit === "number" ? `exited with ${exit}` : `was killed by ${exit}`);
