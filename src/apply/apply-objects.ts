// Applies the desired objects stage by stage (CRDs first, admission webhooks last), skipping
// what the preflight dry-run found unchanged, and waits for CRDs and workloads to be ready.
// The first failure of the cluster stops the rest (halt.ts); one object's failure does not.
import { isAborted, isApiError, isFieldManagerConflict } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, refOf, type KubeObject } from "../manifests/object.js";
import { analyzeConflicts } from "../plan/conflicts.js";
import { isSecret, scrubSecretValues } from "../plan/secrets.js";
import type { ObjectPlan } from "../plan/types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import type { Halt } from "./halt.js";
import { applyStage, CRD_STAGE, sortForApply } from "./order.js";
import { needsReadinessWait, readiness, type Readiness } from "./readiness.js";
import type { ObjectResult } from "./types.js";

export interface DesiredObject {
  body: KubeObject;
  /** The preflight dry-run's verdict. */
  plan: ObjectPlan;
}

export interface ApplyObjectsOptions {
  fieldManager: string;
  force: boolean;
  concurrency: number;
  readinessTimeoutMs: number;
  pollMs: number;
  /** Secrets of the change, to scrub their values from server messages. */
  secrets: KubeObject[];
  /** Stops the apply: on the first failure of the cluster, or when the Lease is lost. */
  halt: Halt;
}

export async function applyObjects(store: ObjectStore, desired: DesiredObject[], options: ApplyObjectsOptions): Promise<ObjectResult[]> {
  const { halt } = options;
  const results: ObjectResult[] = [];
  for (const stage of sortForApply(desired, (item) => refOf(item.body))) {
    const applied = await mapConcurrent(stage, options.concurrency, (item) => applyOne(store, item, options));
    results.push(...applied);
    // Custom resources of a CRD applied just now can only be applied once it is Established
    // and discovery serves its kind.
    if (!halt.halted && stage.some((item) => applyStage(refOf(item.body)) === CRD_STAGE)) {
      await waitReady(store, applied, { ...options, readinessTimeoutMs: Math.max(options.readinessTimeoutMs, 60_000) });
      store.discovery.invalidate();
    }
  }
  if (!halt.halted) await waitReady(store, results.filter((result) => !isCrd(result)), options);
  return results;
}

const isCrd = (result: ObjectResult) => applyStage(result.ref) === CRD_STAGE;

async function applyOne(store: ObjectStore, item: DesiredObject, options: ApplyObjectsOptions): Promise<ObjectResult> {
  const { halt } = options;
  const started = Date.now();
  const ref = refOf(item.body);
  const base = { ref, name: displayName(ref), conflicts: [] };
  if (item.plan.action === "unchanged") return { ...base, action: "unchanged", durationMs: 0 };
  if (halt.halted) return { ...base, action: "not-attempted", message: `Not attempted: the apply stopped (${halt.reason}).`, durationMs: 0 };
  if (item.plan.conflicts.length > 0 && !options.force) {
    return {
      ...base,
      action: "failed",
      conflicts: item.plan.conflicts,
      message: "Not applied: fields it sets are owned by other managers (see the conflicts). Resolve them, or set `conflicts: force` for this environment.",
      durationMs: 0,
    };
  }
  try {
    // The dry-run could not tell for an unverified object (its CRD or Namespace was new): look.
    const created = item.plan.action === "unverified" ? (await store.get(ref, { signal: halt.signal })) === undefined : item.plan.action === "create";
    await store.apply(item.body, { fieldManager: options.fieldManager, force: options.force, fieldValidation: "Strict", signal: halt.signal });
    return {
      ...base,
      action: created ? "created" : "configured",
      conflicts: options.force ? item.plan.conflicts : [],
      durationMs: Date.now() - started,
    };
  } catch (error) {
    if (isAborted(error)) return stopped(base, error.sent, halt, Date.now() - started);
    halt.stopOn(error);
    const conflicts = isFieldManagerConflict(error)
      ? analyzeConflicts({ object: base.name, causes: error.causes, live: undefined, desired: item.body, isSecret: isSecret(item.body) })
      : [];
    const message = isApiError(error) ? (error.status.message ?? error.message) : error instanceof Error ? error.message : String(error);
    return { ...base, action: "failed", conflicts, message: scrubSecretValues(`Not applied: ${message}`, options.secrets), durationMs: Date.now() - started };
  }
}

/** An object whose request the halt cut off: never sent, or sent and perhaps applied. */
function stopped(base: Pick<ObjectResult, "ref" | "name" | "conflicts">, sent: boolean, halt: Halt, durationMs: number): ObjectResult {
  if (!sent) return { ...base, action: "not-attempted", message: `Not attempted: the apply stopped (${halt.reason}).`, durationMs };
  return {
    ...base,
    action: "failed",
    message: `Cancelled in flight when the apply stopped (${halt.reason}): it may or may not have been applied; the next apply converges.`,
    durationMs,
  };
}

/**
 * Polls applied objects that have a notion of readiness until they are ready, failed, or the time
 * is up. Only a 404 says an object is gone; a status that cannot be read leaves it unknown.
 */
async function waitReady(store: ObjectStore, results: ObjectResult[], options: ApplyObjectsOptions): Promise<void> {
  const { halt } = options;
  const pending = results.filter((result) => (result.action === "created" || result.action === "configured") && needsReadinessWait(result.ref));
  if (pending.length === 0 || options.readinessTimeoutMs === 0) return;
  const deadline = Date.now() + options.readinessTimeoutMs;
  let waiting = pending;
  for (;;) {
    const checks = await mapConcurrent(waiting, options.concurrency, async (result) => {
      const state = await readReadiness(store, result, halt);
      result.readiness = { ready: state.ready, reason: state.reason };
      // Waiting longer does not help an object that failed (a Deployment past its progress deadline).
      return { result, settled: state.ready || state.failed };
    });
    waiting = checks.filter((check) => !check.settled).map((check) => check.result);
    if (waiting.length === 0) return;
    if (halt.halted || Date.now() > deadline) {
      const why = halt.halted ? `not known: the apply stopped (${halt.reason})` : `not ready after ${Math.round(options.readinessTimeoutMs / 1000)} s`;
      for (const result of waiting) result.readiness = { ready: false, reason: `${why}: ${result.readiness?.reason ?? ""}` };
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

async function readReadiness(store: ObjectStore, result: ObjectResult, halt: Halt): Promise<Readiness> {
  try {
    const live = await store.get(result.ref, { signal: halt.signal });
    return live ? readiness(live) : { ready: false, failed: true, reason: "gone from the cluster" };
  } catch (error) {
    halt.stopOn(error);
    const message = isApiError(error) ? (error.status.message ?? error.message) : error instanceof Error ? error.message : String(error);
    return { ready: false, failed: false, reason: `its status could not be read (${message})` };
  }
}
