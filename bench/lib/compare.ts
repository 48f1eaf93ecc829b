// What must hold for a benchmark's times to mean anything: both tools did the same work, and it
// was the work the benchmark set up.
import { environmentLabel } from "../../src/desired/stamp.js";
import type { ApplyAction, ApplyReport, ObjectResult } from "../../src/apply/types.js";
import type { ObjectStore } from "../../src/kube/objects.js";
import { displayName, refOf, type ObjectRef } from "../../src/manifests/object.js";
import { benchEnvironment } from "./apps.js";

// A sanity check of the benchmark failed: the timings would not measure what they claim to (an
// apply that failed half-way is fast). runBenchmark (main.ts) exits 1 on it, 2 on anything else.
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

// Plan: do both tools report the same objects as changed, and are those the objects the
// benchmark edited? The third set catches both tools agreeing on something else (a label
// kubectl would strip, say), which would make the timings compare the wrong work.
export interface ChangedSets {
  slipway: ReadonlySet<string>;
  kubectl: ReadonlySet<string>;
  /** The objects whose manifest the benchmark changed. */
  edited: ReadonlySet<string>;
}

export interface SetMismatch {
  onlySlipway: string[];
  onlyKubectl: string[];
  /** Lines that say what differs; empty when all three sets are equal. */
  lines: string[];
}

export function compareChangedSets(sets: ChangedSets): SetMismatch {
  const onlySlipway = minus(sets.slipway, sets.kubectl);
  const onlyKubectl = minus(sets.kubectl, sets.slipway);
  const lines = [
    listed("changed for Slipway only", onlySlipway),
    listed("changed for kubectl diff only", onlyKubectl),
    listed("edited but not changed for Slipway", minus(sets.edited, sets.slipway)),
    listed("changed for Slipway but not edited", minus(sets.slipway, sets.edited)),
  ].filter((line): line is string => line !== undefined);
  return { onlySlipway, onlyKubectl, lines };
}

const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].filter((name) => !b.has(name)).sort();

function listed(what: string, names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.slice(0, 10).join(", ");
  return `${names.length} ${what}: ${shown}${names.length > 10 ? ", …" : ""}`;
}

// Apply: a failed apply or a missing object throws CheckFailed at once; a report whose actions
// differ from what the benchmark changed comes back as lines, so the run goes on and the table
// shows it (as bench:plan does). The report is what the app's completed check run says.
export interface AppliedReport {
  outcome: ApplyReport["outcome"];
  message?: string;
  objects: Array<Pick<ObjectResult, "name" | "action" | "message">>;
}

export function checkApplied(report: AppliedReport, what: string): void {
  const failed = report.objects.filter((object) => object.action === "failed");
  if (report.outcome === "applied" && failed.length === 0) return;
  const details = failed.slice(0, 5).map((object) => `\n  ${object.name}: ${object.message ?? ""}`);
  throw new CheckFailed(`${what}: Slipway's outcome is "${report.outcome}"${report.message ? ` (${report.message})` : ""}, ${failed.length} objects failed${details.join("")}`);
}

/** Lines saying which objects the report gives another action than `expected`; empty when none. */
export function unexpectedActions(report: AppliedReport, expected: (name: string) => ApplyAction, objects: number): string[] {
  const wrong = new Map<string, string[]>();
  for (const object of report.objects) {
    const want = expected(object.name);
    if (object.action === want) continue;
    const key = `${want} but ${object.action}`;
    wrong.set(key, wrong.get(key) ?? []);
    wrong.get(key)?.push(object.name);
  }
  const lines = [...wrong].map(([what, names]) => `${names.length} expected ${what}: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}`);
  if (report.objects.length !== objects) lines.push(`the report lists ${report.objects.length} objects, not ${objects}`);
  return lines;
}

/** `500 created`, `66 configured, 434 unchanged`. */
export function countActions(report: AppliedReport): string {
  const counts = new Map<ApplyAction, number>();
  for (const object of report.objects) counts.set(object.action, (counts.get(object.action) ?? 0) + 1);
  return [...counts].map(([action, count]) => `${count} ${action}`).join(", ");
}

/**
 * The namespace holds exactly the generated objects, found by the environment label both
 * tools sent (Slipway's inventory ConfigMap does not carry it).
 */
export async function checkNamespaceHolds(store: ObjectStore, params: { namespace: string; objects: ObjectRef[]; what: string }): Promise<void> {
  const kinds = new Map(params.objects.map((ref) => [`${ref.apiVersion}|${ref.kind}`, ref]));
  const lists = await Promise.all(
    [...kinds.values()].map((ref) => store.list({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: params.namespace, labelSelector: `${environmentLabel}=${benchEnvironment}` })),
  );
  const live = new Set(lists.flat().map((object) => displayName(refOf(object))));
  const wanted = new Set(params.objects.map(displayName));
  const missing = [...wanted].filter((name) => !live.has(name));
  const extra = [...live].filter((name) => !wanted.has(name));
  if (missing.length === 0 && extra.length === 0) return;
  throw new CheckFailed(
    `${params.what}: namespace ${params.namespace} holds ${live.size} of the generated kinds, not ${wanted.size}; ` +
      `missing ${missing.length} (${missing.slice(0, 5).join(", ")}), unexpected ${extra.length} (${extra.slice(0, 5).join(", ")})`,
  );
}
