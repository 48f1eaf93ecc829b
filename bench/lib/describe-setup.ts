// What the numbers were measured on, printed under the table.
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import type { BenchSetup } from "./render-table.js";

export async function describeSetup(params: { kubectl: string; runs: number; controllers: boolean }): Promise<BenchSetup> {
  const cores = cpus();
  const { stdout } = await promisify(execFile)(params.kubectl, ["version", "--client", "-o", "json"]);
  const version = JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } };
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cores.length} × ${cores[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB`,
    node: process.version,
    kubectl: version.clientVersion?.gitVersion ?? "unknown",
    runs: params.runs,
    controllers: params.controllers,
  };
}
