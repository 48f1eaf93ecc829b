// The built command line, as `npm run build` bundles it and `npx slipway` runs it, built into a
// directory of its own (lib/ is left alone) and run as a process.
import { execFile } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..", "..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Builds the command line before the file's tests and removes it after; returns a runner of `node <out>/slipway.js ...`. */
export function useCompiledCli(): (args: string[], options?: { env?: NodeJS.ProcessEnv }) => Promise<CliRun> {
  let out: string | undefined;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "slipway-lib-"));
    // The package's bin as `npm run build` bundles it (scripts/bundle-cli.mjs).
    await run(process.execPath, [join(root, "scripts", "bundle-cli.mjs"), "--outdir", out], { cwd: root });
    // What the package gives lib/bin/: ES modules, and the dependencies.
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
    symlinkSync(realpathSync(join(root, "node_modules")), join(out, "node_modules"));
  }, 120_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });
  /** Its exit code and output, whatever the code. */
  return async (args, options = {}) => {
    if (!out) throw new Error("the command line is built in beforeAll");
    try {
      const { stdout, stderr } = await run(process.execPath, [join(out, "slipway.js"), ...args], { cwd: root, timeout: 30_000, ...(options.env ? { env: options.env } : {}) });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
      if (failed.killed) throw new Error("the compiled command did not exit within 30 s", { cause: error });
      return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  };
}
