// Apply on merge: make the cluster match Git for one environment.
//   1. take the environment's Lease (one apply at a time across every copy of the app);
//   2. read the inventory, and skip a commit older than the last one applied;
//   3. preflight: validate and dry-run the whole desired set; anything invalid, nothing applied;
//   4. check the prune guards, still before changing anything;
//   5. apply stage by stage, wait for readiness; the first failure of the cluster stops the rest;
//   6. prune in reverse order, only when everything was applied and is ready;
//   7. record the new inventory and the commit.
import { randomUUID } from "node:crypto";
import type { EnvironmentConfig } from "../config/schema.js";
import type { ObjectStore } from "../kube/objects.js";
import { displayName, identityKey, refOf, type KubeObject, type ObjectRef } from "../manifests/object.js";
import { isSecret } from "../plan/secrets.js";
import type { EnvironmentPlan } from "../plan/types.js";
import { inventoryLocation } from "../desired/desired-state.js";
import type { ManifestFile } from "../manifests/manifest-file.js";
import { planWithBodies } from "../planning/plan-environment.js";
import { applyObjects, type DesiredObject } from "./apply-objects.js";
import { failureMessage, pruneBlocked, skippedPrunes } from "./apply-messages.js";
import { inventoryName, type InventoryLocation } from "../desired/applyset.js";
import { Halt } from "./halt.js";
import { readInventory, writeInventory, type Inventory } from "./inventory.js";
import { processIdentity, withLease } from "./lease.js";
import { nextInventory } from "./next-inventory.js";
import { planPrune, pruneObjects } from "./prune-objects.js";
import type { ApplyReport } from "./types.js";

export interface ApplyEnvironmentParams {
  environment: EnvironmentConfig;
  /** Every manifest under the environment's paths at the commit: Git is the source of truth. */
  files: ManifestFile[];
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
  leaseWaitMs?: number;
  /** Who holds the Lease (default: this process and this apply). */
  leaseHolder?: string;
}

export async function applyEnvironment(params: ApplyEnvironmentParams): Promise<ApplyReport> {
  const started = Date.now();
  const { environment, store } = params;
  const location = inventoryLocation(environment);
  const report = (rest: Omit<ApplyReport, "environment" | "commit" | "durationMs">): ApplyReport => ({
    environment: environment.name,
    commit: params.commit,
    durationMs: Date.now() - started,
    ...rest,
  });
  await ensureNamespace(store, location.namespace, params.fieldManager);
  const lease = {
    namespace: location.namespace,
    name: `${inventoryName(environment.name)}-lock`,
    // Unique per apply, so two applies in one process wait for each other like two copies do.
    holder: params.leaseHolder ?? `${processIdentity}-${randomUUID().slice(0, 8)}`,
    durationSeconds: 60,
    waitMs: params.leaseWaitMs ?? 10 * 60_000,
    pollMs: 1_000,
  };
  return withLease(store, lease, async () => {
    const halt = new Halt();
    const previous = await readInventory(store, location);
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
    const { plan, desired } = await planWithBodies({
      environment,
      head: params.files,
      base: [],
      target: { mode: "cluster", store, context: params.context },
      fieldManager: params.fieldManager,
      ...(params.configHashKey ? { configHashKey: params.configHashKey } : {}),
      concurrency,
      diffs: false,
      signal: halt.signal,
    });
    const refusal = preflightRefusal(plan);
    if (refusal || !desired) return report({ outcome: plan.error ? "failed" : "refused", objects: [], findings: plan.findings, message: refusal });

    const desiredKeys = new Set(desired.bodies.keys());
    const prune = await planPrune({ store, environment, desiredKeys, inventory: previous.objects, fieldManager: params.fieldManager, concurrency, signal: halt.signal });
    if (prune.refusal) return report({ outcome: "refused", objects: [], findings: plan.findings, message: `Nothing was applied. ${prune.refusal}` });

    const items: DesiredObject[] = plan.objects.flatMap((objectPlan) => {
      const body = desired.bodies.get(identityKey(objectPlan.ref));
      return body ? [{ body, plan: objectPlan }] : [];
    });
    const secrets = [...desired.bodies.values()].filter(isSecret);
    const owner = params.owner ?? previous.owner;
    const unrecorded = await recordBeforeApplying({ store, location, previous: { ...previous, ...(owner ? { owner } : {}) }, adding: items.map((item) => refOf(item.body)), fieldManager: params.fieldManager });
    if (unrecorded) return report({ outcome: "failed", objects: [], findings: plan.findings, message: unrecorded });
    const applied = await applyObjects(store, items, {
      fieldManager: params.fieldManager,
      force: environment.conflicts === "force",
      concurrency,
      readinessTimeoutMs: environment.readinessTimeoutSeconds * 1000,
      pollMs: params.pollMs ?? 1_000,
      secrets,
      halt,
    });
    const blocked = pruneBlocked({ stopped: halt.halted ? halt.reason : undefined, applied });
    const skipped = blocked ? skippedPrunes(prune.candidates, blocked, displayName) : undefined;
    const pruned = skipped ? skipped.results : await pruneObjects(store, prune.candidates, { concurrency, halt });
    const objects = [...applied, ...pruned, ...prune.unread];
    const recorded = await writeInventory(store, {
      location,
      fieldManager: params.fieldManager,
      inventory: {
        objects: nextInventory({ previous: previous.objects, applied, pruned, forget: prune.forget }),
        commit: params.commit,
        appliedAt: new Date().toISOString(),
        ...(owner ? { owner } : {}),
      },
    }).then(
      () => undefined,
      // The objects' results matter more than the record: report them. The inventory written
      // before the apply lists every object it may have created, and the next apply converges.
      (error: unknown) => `The inventory could not be recorded (${error instanceof Error ? error.message : String(error)}); the next push or a re-run converges.`,
    );
    const message = [failureMessage(objects), skipped?.message ?? "", recorded ?? ""].filter(Boolean).join(" ");
    return report({ outcome: message ? "failed" : "applied", objects, findings: plan.findings, ...(message ? { message } : {}) });
  });
}

/** Why nothing may be applied: invalid manifests, rejected dry-runs, an unreachable cluster, an empty desired set. */
function preflightRefusal(plan: EnvironmentPlan): string | undefined {
  if (plan.error) return plan.error;
  const errors = plan.findings.filter((finding) => finding.severity === "error");
  const rejected = plan.objects.filter((object) => object.action === "rejected");
  if (errors.length > 0 || rejected.length > 0) {
    const parts = [
      errors.length > 0 ? `${errors.length} invalid manifest finding${errors.length === 1 ? "" : "s"}` : "",
      rejected.length > 0 ? `${rejected.length} object${rejected.length === 1 ? "" : "s"} whose dry-run the API server rejected (${rejected.map((object) => object.name).join(", ")})` : "",
    ].filter(Boolean);
    return `Nothing was applied: ${parts.join(" and ")}. Fix them in Git; the next push applies.`;
  }
  if (plan.objects.length === 0) {
    return "Nothing was applied and nothing pruned: the environment's paths hold no objects at this commit. An empty desired set is far more likely a broken path than an intent to delete everything.";
  }
  return undefined;
}

/**
 * Adds the objects about to be applied to the inventory before any is: an apply that stops half
 * way (a crash, a lost Lease) must not leave objects no inventory lists, which no apply would ever
 * prune. As KEP-3659 has an ApplySet's parent list its group kinds before its members are applied.
 * Returns why nothing may be applied when the inventory cannot be written.
 */
async function recordBeforeApplying(params: { store: ObjectStore; location: InventoryLocation; previous: Inventory; adding: ObjectRef[]; fieldManager: string }): Promise<string | undefined> {
  const known = new Set(params.previous.objects.map(identityKey));
  const adding = params.adding.filter((ref) => !known.has(identityKey(ref)));
  if (adding.length === 0) return undefined;
  const inventory = { ...params.previous, objects: [...params.previous.objects, ...adding] };
  try {
    await writeInventory(params.store, { location: params.location, inventory, fieldManager: params.fieldManager });
    return undefined;
  } catch (error) {
    return `Nothing was applied: the inventory ${params.location.namespace}/${inventoryName(params.location.environment)} could not be updated first (${error instanceof Error ? error.message : String(error)}), and objects it does not list could never be pruned. Re-run when the cluster is healthy.`;
  }
}

/** The inventory and the Lease live in this namespace, so it must exist before anything else. */
async function ensureNamespace(store: ObjectStore, namespace: string, fieldManager: string): Promise<void> {
  const ref = { apiVersion: "v1", kind: "Namespace", name: namespace };
  if (await store.get(ref)) return;
  const body: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
  await store.apply(body, { fieldManager });
}

