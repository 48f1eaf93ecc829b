// Check-run annotations: one per finding and per conflict that has a place in a file. Annotation
// text is shown as plain text, so nothing here is markdown-escaped.
import type { Finding, FindingSeverity, SourcePosition } from "../manifests/types.js";
import type { EnvironmentPlan, FieldConflict } from "../plan/types.js";
import { describeOwner } from "./conflicts.js";
import { ANNOTATION_MESSAGE_MAX, ANNOTATION_TITLE_MAX, MAX_UTF8_BYTES_PER_CODE_UNIT, truncateText } from "./limits.js";
import { isSecret } from "./listing.js";

export type AnnotationLevel = "notice" | "warning" | "failure";

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  title?: string;
  message: string;
}

/** Findings first, then objects the server refused or could not dry-run, then conflicts, in plan order. */
export function planAnnotations(plan: EnvironmentPlan): CheckRunAnnotation[] {
  const findings = plan.findings.flatMap((finding) =>
    finding.position ? [findingAnnotation(finding, finding.position)] : [],
  );
  const conflicts = plan.objects.flatMap((object) =>
    object.conflicts.flatMap((conflict) => {
      if (!conflict.position) return [];
      const options = { hideValues: isSecret(object), fails: failsPlan(plan, conflict) };
      return [conflictAnnotation(conflict, conflict.position, options)];
    }),
  );
  return [...findings, ...objectAnnotations(plan), ...conflicts];
}

/** A rejected dry-run fails on the line the server's error points to; an unverified object is a notice. */
function objectAnnotations(plan: EnvironmentPlan): CheckRunAnnotation[] {
  return plan.objects.flatMap((object) => {
    if (!object.position || !object.note) return [];
    switch (object.action) {
      case "rejected":
        return [annotation(object.position, "failure", `Dry-run rejected: ${object.name}`, object.note)];
      case "unverified":
        return [annotation(object.position, "notice", `Not verified by dry-run: ${object.name}`, object.note)];
      case "adopt":
        return [annotation(object.position, "notice", `Adopted on merge: ${object.name}`, object.note)];
      case "create":
      case "change":
      case "unchanged":
      case "prune":
      case "retain":
        return [];
    }
  });
}

/** Mirrors concludePlan: blocking conflicts always fail, others when `conflicts: fail`. */
const failsPlan = (plan: EnvironmentPlan, conflict: FieldConflict): boolean => conflict.blocking || plan.conflictsFail;

function levelOf(severity: FindingSeverity): AnnotationLevel {
  switch (severity) {
    case "error":
      return "failure";
    case "warning":
      return "warning";
    case "notice":
      return "notice";
  }
}

function annotation(position: SourcePosition, level: AnnotationLevel, title: string, message: string): CheckRunAnnotation {
  // GitHub refuses lines below 1; the message limit is in bytes, so cut by the worst case per code unit.
  const line = Math.max(1, position.line);
  return {
    path: position.file,
    start_line: line,
    end_line: line,
    annotation_level: level,
    title: truncateText(title, ANNOTATION_TITLE_MAX),
    message: truncateText(message, Math.floor(ANNOTATION_MESSAGE_MAX / MAX_UTF8_BYTES_PER_CODE_UNIT)),
  };
}

function findingAnnotation(finding: Finding, position: SourcePosition): CheckRunAnnotation {
  const title = finding.object ? `${finding.code}: ${finding.object}` : finding.code;
  return annotation(position, levelOf(finding.severity), title, finding.message);
}

function conflictAnnotation(
  conflict: FieldConflict,
  position: SourcePosition,
  options: { hideValues: boolean; fails: boolean },
): CheckRunAnnotation {
  const owner = `${describeOwner(conflict)}${conflict.time ? `, last written ${conflict.time}` : ""}`;
  const values = options.hideValues
    ? "Values hidden (Secret)."
    : `Live: ${conflict.liveValue ?? "unset"}; desired: ${conflict.desiredValue ?? "unset"}.`;
  const message = [`${conflict.object}: ${conflict.field} is owned by ${owner}.`, values, conflict.advice].join("\n");
  const title = `${conflict.blocking ? "Blocking field" : "Field"} ownership conflict: ${conflict.field}`;
  return annotation(position, options.fails ? "failure" : "warning", title, message);
}
