// Drift: live objects that differ from Git in fields Slipway sets, found by planning the applied
// commit against the cluster. A server-side-apply dry-run with Slipway's field manager changes
// only the fields Slipway sets, so an object whose dry-run shows a change has drifted there; a
// field someone else added (an annotation, a sidecar's env) does not count. A missing object
// (deleted by hand) has drifted too.
import { createHash } from "node:crypto";
import type { EnvironmentPlan, ObjectPlan } from "./types.js";

export interface DriftedObject {
  /** `Kind/namespace/name`. */
  name: string;
  /** `change`: differs from Git; `create`: gone from the cluster. */
  action: "change" | "create";
  plan: ObjectPlan;
}

export interface Drift {
  commit: string;
  objects: DriftedObject[];
  /** Identifies this drift set at this commit: a new report is made only when it changes. */
  fingerprint: string;
}

export function findDrift(plan: EnvironmentPlan, commit: string): Drift {
  const objects = plan.objects
    .flatMap((object): DriftedObject[] => (object.action === "change" || object.action === "create" ? [{ name: object.name, action: object.action, plan: object }] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
  // What is compared is what the report shows: the object, how it drifted, its diff (Secrets:
  // key states only) and who owns the drifted fields.
  const shown = objects.map(({ name, action, plan: object }) => [name, action, object.diff ?? "", object.secretKeys ?? [], object.conflicts.map((conflict) => [conflict.field, conflict.manager])]);
  const fingerprint = createHash("sha256").update(JSON.stringify([commit, shown])).digest("hex");
  return { commit, objects, fingerprint };
}
