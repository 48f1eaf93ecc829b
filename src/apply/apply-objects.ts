// Applies the desired objects stage by stage (CRDs first, admission webhooks last), skipping
// what the preflight dry-run found unchanged, and waits for CRDs and workloads to be ready.
import { isApiError, isFieldManagerConflict, KubeTransportError } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, refOf, type KubeObject } from "../manifests/object.js";
import { analyzeConflicts } from "../plan/conflicts.js";
import { isSecret, scrubSecretValues } from "../plan/secrets.js";
import type { ObjectPlan } from "../plan/types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import { applyStage, CRD_STAGE, sortForApply } from "./order.js";
import { needsReadinessWait, readiness } from "./readiness.js";
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
}

export async function applyObjects(store: ObjectStore, desired: DesiredObject[], options: ApplyObjectsOptions): Promise<ObjectResult[]> {
  const results: ObjectResult[] = [];
  const outage: Outage = {};
  const stages = sortForApply(desired, (item) => refOf(item.body));
  for (const stage of stages) {
    const applied = await mapConcurrent(stage, options.concurrency, (item) => applyOne(store, item, options, outage));
    results.push(...applied);
    // Custom resources of a CRD applied just now can only be applied once it is Established
    // and discovery serves its kind.
    if (stage.some((item) => applyStage(refOf(item.body)) === CRD_STAGE)) {
      await waitReady(store, applied, { ...options, readinessTimeoutMs: Math.max(options.readinessTimeoutMs, 60_000) });
      store.discovery.invalidate();
    }
  }
  await waitReady(
    store,
    results.filter((result) => !isCrd(result)),
    options,
  );
  return results;
}

const isCrd = (result: ObjectResult) => applyStage(result.ref) === CRD_STAGE;

/**
 * Once the API server could not be reached even after retries, the objects still to go are
 * not sent: each would only wait out its own retries. They are reported as not applied.
 */
interface Outage {
  cause?: string;
}

async function applyOne(store: ObjectStore, item: DesiredObject, options: ApplyObjectsOptions, outage: Outage): Promise<ObjectResult> {
  const started = Date.now();
  const ref = refOf(item.body);
  const base = { ref, name: displayName(ref), conflicts: [] };
  if (item.plan.action === "unchanged") return { ...base, action: "unchanged", durationMs: 0 };
  if (outage.cause) return { ...base, action: "failed", message: `Not applied: the API server could not be reached (${outage.cause}).`, durationMs: 0 };
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
    const created = item.plan.action === "unverified" ? (await store.get(ref)) === undefined : item.plan.action === "create";
    await store.apply(item.body, { fieldManager: options.fieldManager, force: options.force, fieldValidation: "Strict" });
    return {
      ...base,
      action: created ? "created" : "configured",
      conflicts: options.force ? item.plan.conflicts : [],
      durationMs: Date.now() - started,
    };
  } catch (error) {
    const conflicts = isFieldManagerConflict(error)
      ? analyzeConflicts({ object: base.name, causes: error.causes, live: undefined, desired: item.body, isSecret: isSecret(item.body) })
      : [];
    if (error instanceof KubeTransportError) outage.cause ??= error.message;
    const message = isApiError(error) ? (error.status.message ?? error.message) : error instanceof Error ? error.message : String(error);
    return { ...base, action: "failed", conflicts, message: scrubSecretValues(`Not applied: ${message}`, options.secrets), durationMs: Date.now() - started };
  }
}

/** Polls applied objects that have a notion of readiness until they are ready, failed, or the time is up. */
async function waitReady(store: ObjectStore, results: ObjectResult[], options: ApplyObjectsOptions): Promise<void> {
  const pending = results.filter((result) => (result.action === "created" || result.action === "configured") && needsReadinessWait(result.ref));
  if (pending.length === 0 || options.readinessTimeoutMs === 0) return;
  const deadline = Date.now() + options.readinessTimeoutMs;
  let waiting = pending;
  for (;;) {
    const checks = await mapConcurrent(waiting, options.concurrency, async (result) => {
      const live = await store.get(result.ref);
      const state = live ? readiness(live) : { ready: false, failed: true, reason: "gone from the cluster" };
      result.readiness = { ready: state.ready, reason: state.reason };
      // Waiting longer does not help an object that failed (a Deployment past its progress deadline).
      return { result, settled: state.ready || state.failed };
    });
    waiting = checks.filter((check) => !check.settled).map((check) => check.result);
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      for (const result of waiting) {
        result.readiness = { ready: false, reason: `not ready after ${Math.round(options.readinessTimeoutMs / 1000)} s: ${result.readiness?.reason ?? ""}` };
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
