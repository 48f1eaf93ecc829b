// What each plan mode checked, and what it skipped and why, in plain words: the comment, the
// check run and the command line all say it the same way.
import type { PlanMode } from "../plan/types.js";

export interface ModeDescription {
  /** Short, for headings: "dry-run against the cluster". */
  label: string;
  /** Present when server-side checks were skipped. */
  skipped?: { title: string; checks: string; reason: string };
}

export function describeMode(mode: PlanMode): ModeDescription {
  switch (mode) {
    case "cluster":
      return { label: "dry-run against the cluster" };
    case "offline":
      return {
        label: "offline",
        skipped: {
          title: "Offline plan",
          checks:
            "The server-side dry-run was skipped: API-server validation and defaulting, admission webhooks and " +
            "field-ownership conflicts were not checked, and diffs compare with the base revision, not with the live objects.",
          reason: "This environment was planned without access to its cluster.",
        },
      };
    case "validate-only":
      return {
        label: "validated only",
        skipped: {
          title: "Validated only",
          checks:
            "The server-side dry-run, the diff against the live objects, field-ownership conflicts and the prune " +
            "preview were skipped; only the manifests themselves were checked.",
          reason:
            "Pull requests from forks are validated only (forks: validate in .github/slipway.yml), so cluster " +
            "credentials are never used for changes nobody with write access has reviewed.",
        },
      };
  }
}
