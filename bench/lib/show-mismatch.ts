// Evidence for a disagreement between the tools: each side's diff of the objects only it
// reports as changed, so the cause can be read off without re-running anything by hand.
import type { SetMismatch } from "./compare.js";
import { runKubectlDiff, unifiedDiff } from "./tools.js";

const shownObjects = 3;

export async function showMismatch(params: {
  mismatch: SetMismatch;
  slipwayDiffs: ReadonlyMap<string, string>;
  kubectl: { kubectl: string; kubeconfigPath: string; dir: string; scratchDir: string };
  log: (line: string) => void;
}): Promise<void> {
  const { mismatch, log } = params;
  for (const name of mismatch.onlySlipway.slice(0, shownObjects)) {
    log(`Slipway's diff of ${name}:\n${params.slipwayDiffs.get(name) || "(no diff text)"}`);
  }
  if (mismatch.onlyKubectl.length === 0) return;
  const { stdout } = await runKubectlDiff({ ...params.kubectl, externalDiff: unifiedDiff });
  // GNU `diff -r` starts each pair of files with a line `diff <options> LIVE/<name> MERGED/<name>`.
  const sections = stdout.split(/^(?=diff )/m);
  for (const name of mismatch.onlyKubectl.slice(0, shownObjects)) {
    const section = sections.find((text) => text.split("\n", 1)[0]?.endsWith(`/${name}`));
    log(`kubectl's diff of ${name}:\n${section ?? "(not found in kubectl's output)"}`);
  }
}
