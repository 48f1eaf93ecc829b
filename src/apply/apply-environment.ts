// Apply on merge: make the cluster match Git for one environment.
//   1. take the environment's Lease (one apply at a time across every copy of the app);
//   2. read the inventory, and skip a commit older than the last one applied;
//   3. preflight: validate and dry-run the whole desired set; anything invalid, nothing applied;
//   4. check the prune guards, still before changing anything, and list the new objects in the
//      inventory before creating them;
//   5. apply stage by stage, wait for readiness; the first failure of the cluster stops the rest;
//   6. prune in reverse order, only when everything was applied and is ready;
//   7. record the new inventory and the commit.
// A lost Lease, or the server shutting down (`signal`), stops the apply at the next of these
// steps, and any request in flight at once; nothing is then pruned and no commit recorded.
import { randomUUID } from "node:crypto";
import type { EnvironmentConfig } from "../config/schema.js";
import { isAborted } from "../kube/errors.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, identityKey, refOf, type KubeObject } from "../manifests/object.js";
import { isSecret } from "../plan/secrets.js";
import { inventoryLocation } from "../desired/desired-state.js";
import type { LoadedSources, ManifestFile } from "../manifests/manifest-file.js";
import { planWithBodies } from "../planning/plan-environment.js";
import { applyObjects, type DesiredObject } from "./apply-objects.js";
import { failureMessage, interruptedMessage, leaseLostMessage, pruneBlocked, skippedPrunes } from "./apply-messages.js";
import { inventoryName } from "../desired/applyset.js";
import { Halt } from "./halt.js";
import { addToInventory, readInventory, writeInventory, type Inventory } from "./inventory.js";
import { leaseHolder, leaseSightings, processIdentity, withLease, type HeldLease } from "./lease.js";
import { defaultLeaseTiming, type LeaseOptions } from "./lease-types.js";
import { nextInventory } from "./next-inventory.js";
import { preflightRefusal } from "./preflight-refusal.js";
import { planPrune, pruneObjects, type PrunePlan } from "./prune-objects.js";
import type { ApplyReport } from "./types.js";
import type { Finding } from "../manifests/types.js";
import type { HoldBack } from "../desired/canary.js";

export interface ApplyEnvironmentParams {
  environment: EnvironmentConfig;
  /** Every manifest under the environment's paths at the commit: Git is the source of truth. */
  files: ManifestFile[];
  /** `files`, already being parsed (apply-push starts while it reports to GitHub and takes the Lease). */
  parsed?: Promise<LoadedSources>;
  commit: string;
  /**
   * The repository (`owner/name`) applying: recorded in the inventory, and an inventory another
   * repository owns is refused. Undefined for callers that speak for no repository (tests, tools).
   */
  owner?: string;
  store: ObjectStore;
  context: string;
  fieldManager: string;
  /** The server's key for config hashes (default: the public development key). */
  configHashKey?: string;
  /** Called under the Lease with the last applied commit; a reason to skip, or undefined to go on. */
  shouldSkip?: (lastCommit: string | undefined) => Promise<string | undefined>;
  concurrency?: number;
  pollMs?: number;
  /**
   * The Lease's holder (default: this process and this apply), how long to wait for it (default
   * 10 minutes), its timing (default: defaultLeaseTiming) and who hears of its events.
   */
  lease?: Partial<Omit<LeaseOptions, "namespace" | "name">>;
  /** Holds canaried workloads back (canary/prepare.ts); the report's `canaries` say what to start. */
  holdBack?: HoldBack;
  /**
   * Fires when the server shuts down: the apply stops at its next safe point (as when the Lease
   * is lost), releases the Lease, and reports `interrupted`.
   */
  signal?: AbortSignal;
}

type Report = (rest: Omit<ApplyReport, "environment" | "commit" | "durationMs">) => ApplyReport;

export async function applyEnvironment(params: ApplyEnvironmentParams): Promise<ApplyReport> {
  const started = Date.now();
  const { environment, store } = params;
  const location = inventoryLocation(environment);
  const report: Report = (rest) => ({ environment: environment.name, commit: params.commit, durationMs: Date.now() - started, ...rest });
  await ensureNamespace(store, location.namespace, params.fieldManager);
  const lease = environmentLease(params);
  return withLease(store, lease, async (held) => {
    try {
      return await applyUnderLease(params, held, report);
    } catch (error) {
      // A read cut off by the shutdown or the lost Lease: stopped, not broken.
      if (isAborted(error)) {
        if (params.signal?.aborted) return report({ outcome: "interrupted", objects: [], findings: [], message: interruptedMessage([]) });
        if (held.lostTo()) return report({ outcome: "failed", objects: [], findings: [], message: leaseLostMessage(held.lostTo(), []) });
      }
      throw error;
    }
  });
}

/**
 * The environment's Lease: waited for up to 10 minutes unless the caller says otherwise, and
 * judged with this process's sightings of the cluster's Leases.
 */
function environmentLease(params: Pick<ApplyEnvironmentParams, "environment" | "context" | "lease" | "signal">): LeaseOptions {
  return {
    ...defaultLeaseTiming,
    waitMs: 10 * 60_000,
    // Unique per apply, so two applies in one process wait for each other like two copies do.
    holder: `${processIdentity}-${randomUUID().slice(0, 8)}`,
    sightings: leaseSightings(params.context),
    ...params.lease,
    namespace: inventoryLocation(params.environment).namespace,
    name: `${inventoryName(params.environment.name)}-lock`,
    ...(params.signal ? { signal: params.signal } : {}),
  };
}

/**
 * Who else applies the environment now (another copy of the app, or another job of this one),
 * by one read of its Lease: a job asks before it takes a slot, and comes back later instead of
 * holding one while it waits.
 */
export function environmentLeaseHolder(store: ObjectStore, params: Pick<ApplyEnvironmentParams, "environment" | "context" | "lease">): Promise<string | undefined> {
  return leaseHolder(store, environmentLease(params));
}

/** Why the apply must stop here, as its report: the server shuts down, or the Lease was lost. */
function stopReport(params: ApplyEnvironmentParams, lease: HeldLease, report: Report, rest: Pick<ApplyReport, "objects" | "findings">): ApplyReport | undefined {
  if (params.signal?.aborted) return report({ outcome: "interrupted", ...rest, message: interruptedMessage(rest.objects) });
  if (lease.lostTo()) return report({ outcome: "failed", ...rest, message: leaseLostMessage(lease.lostTo(), rest.objects) });
  return undefined;
}

async function applyUnderLease(params: ApplyEnvironmentParams, lease: HeldLease, report: Report): Promise<ApplyReport> {
  const { environment, store } = params;
  const location = inventoryLocation(environment);
  // The Lease's loss or the shutdown: either stops every request.
  const signal = params.signal ? AbortSignal.any([lease.signal, params.signal]) : lease.signal;
  const halt = new Halt(signal);
  const previous = await readInventory(store, location, { signal });
  if (params.owner !== undefined && previous.owner !== undefined && previous.owner !== params.owner) {
    return report({
      outcome: "refused",
      objects: [],
      findings: [],
      message: `Nothing was applied: the inventory ${location.namespace}/${inventoryName(location.environment)} belongs to ${previous.owner}, and two repositories cannot share one (they would prune each other's objects). Give environment ${environment.name} another name or another \`inventoryNamespace\`.`,
    });
  }
  const skip = await params.shouldSkip?.(previous.commit);
  if (skip) return report({ outcome: "skipped", objects: [], findings: [], message: skip });

  const concurrency = params.concurrency ?? 32;
  const { plan, desired, canaries } = await planWithBodies({
    environment,
    head: params.files,
    ...(params.parsed ? { parsedHead: params.parsed } : {}),
    base: [],
    target: { mode: "cluster", store, context: params.context },
    fieldManager: params.fieldManager,
    ...(params.configHashKey ? { configHashKey: params.configHashKey } : {}),
    concurrency,
    diffs: false,
    signal: halt.signal,
    ...(params.holdBack ? { holdBack: params.holdBack } : {}),
  });
  const stopped = () => stopReport(params, lease, report, { objects: [], findings: plan.findings });
  const stoppedAfterPlan = stopped();
  if (stoppedAfterPlan) return stoppedAfterPlan;
  const refusal = preflightRefusal(plan);
  if (refusal || !desired) return report({ outcome: plan.error ? "failed" : "refused", objects: [], findings: plan.findings, message: refusal });

  const desiredKeys = new Set(desired.bodies.keys());
  const prune = await planPrune({ store, environment, desiredKeys, inventory: previous.objects, fieldManager: params.fieldManager, concurrency, signal: halt.signal });
  const stoppedAfterPrunePlan = stopped();
  if (stoppedAfterPrunePlan) return stoppedAfterPrunePlan;
  if (prune.refusal) return report({ outcome: "refused", objects: [], findings: plan.findings, message: `Nothing was applied. ${prune.refusal}` });

  const items: DesiredObject[] = plan.objects.flatMap((objectPlan) => {
    const body = desired.bodies.get(identityKey(objectPlan.ref));
    return body ? [{ body, plan: objectPlan }] : [];
  });
  const owner = params.owner ?? previous.owner;
  const inventory = { ...previous, ...(owner ? { owner } : {}) };
  try {
    await addToInventory(store, { location, inventory, adding: items.map((item) => refOf(item.body)), fieldManager: params.fieldManager, signal });
  } catch (error) {
    if (isAborted(error)) throw error;
    const message = `Nothing was applied: the inventory ${location.namespace}/${inventoryName(location.environment)} could not be updated first (${error instanceof Error ? error.message : String(error)}), and objects it does not list could never be pruned. Re-run when the cluster is healthy.`;
    return report({ outcome: "failed", objects: [], findings: plan.findings, message });
  }

  const applied = await applyPlanned({ params, lease, report, halt, items, prune, previous, inventory, findings: plan.findings, secrets: [...desired.bodies.values()].filter(isSecret) });
  return canaries && canaries.length > 0 ? { ...applied, canaries } : applied;
}

/** Steps 5 to 7: apply, prune unless something failed, and record the inventory, unless the Lease was lost. */
async function applyPlanned(args: {
  params: ApplyEnvironmentParams;
  lease: HeldLease;
  report: Report;
  halt: Halt;
  items: DesiredObject[];
  prune: PrunePlan;
  previous: Inventory;
  /** The previous inventory with its owner now: what the record keeps besides its objects. */
  inventory: Inventory;
  findings: Finding[];
  secrets: KubeObject[];
}): Promise<ApplyReport> {
  const { params, lease, halt, prune } = args;
  const { environment, store } = params;
  const concurrency = params.concurrency ?? 32;
  const applied = await applyObjects(store, args.items, {
    fieldManager: params.fieldManager,
    force: environment.conflicts === "force",
    concurrency,
    readinessTimeoutMs: environment.readinessTimeoutSeconds * 1000,
    pollMs: params.pollMs ?? 1_000,
    secrets: args.secrets,
    halt,
  });
  const blocked = pruneBlocked({ stopped: halt.halted ? halt.reason : undefined, applied });
  const skipped = blocked ? skippedPrunes(prune.candidates, blocked, displayName) : undefined;
  const pruned = skipped ? skipped.results : await pruneObjects(store, prune.candidates, { concurrency, halt });
  const objects = [...applied, ...pruned, ...prune.unread];
  // The new holder records its own apply; the objects this one added were listed before it began.
  // Stopped by the shutdown: no commit is recorded, so the next start's reconcile applies it again.
  const stopped = halt.halted ? stopReport(params, lease, args.report, { objects, findings: args.findings }) : undefined;
  if (stopped) return stopped;

  const recorded = await writeInventory(store, {
    location: inventoryLocation(environment),
    fieldManager: params.fieldManager,
    inventory: { ...args.inventory, objects: nextInventory({ previous: args.previous.objects, applied, pruned, forget: prune.forget }), commit: params.commit, appliedAt: new Date().toISOString() },
    signal: lease.signal,
  }).then(
    () => undefined,
    // The objects' results matter more than the record: report them. The inventory written
    // before the apply lists every object it may have created, and the next apply converges.
    (error: unknown) => `The inventory could not be recorded (${error instanceof Error ? error.message : String(error)}); the next push or a re-run converges.`,
  );
  // Lost after the record was written: the apply finished, and its report stands.
  if (recorded && lease.lostTo()) return args.report({ outcome: "failed", objects, findings: args.findings, message: leaseLostMessage(lease.lostTo(), objects) });
  const message = [failureMessage(objects), skipped?.message ?? "", recorded ?? ""].filter(Boolean).join(" ");
  return args.report({ outcome: message ? "failed" : "applied", objects, findings: args.findings, ...(message ? { message } : {}) });
}

/** The inventory and the Lease live in this namespace, so it must exist before anything else. */
async function ensureNamespace(store: ObjectStore, namespace: string, fieldManager: string): Promise<void> {
  const ref = { apiVersion: "v1", kind: "Namespace", name: namespace };
  if (await store.get(ref)) return;
  const body: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
  await store.apply(body, { fieldManager });
}
