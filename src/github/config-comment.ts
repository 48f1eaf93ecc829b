// The sticky comment for a repository whose .github/slipway.yml is missing or invalid: what is
// wrong, where, and what to do.
import { configPath } from "../config/load.js";
import type { RepoConfigResult } from "./repo-reader.js";
import { planCommentMarker } from "./sticky-comment.js";
import { escapeMarkdown } from "../render/escape.js";

const example = [
  "environments:",
  "  - name: production",
  '    paths: ["deploy/production/**/*.yaml"]',
  "    namespace: apps",
].join("\n");

export function renderConfigProblem(result: Exclude<RepoConfigResult, { ok: true }>): string {
  const lines = [planCommentMarker, "### Slipway could not plan this pull request", ""];
  if ("missing" in result) {
    lines.push(`The default branch has no \`${configPath}\`, so Slipway does not know which manifests belong to which cluster. Add one, for example:`);
  } else {
    lines.push(`\`${configPath}\` on the default branch is invalid:`, "");
    for (const finding of result.findings) {
      lines.push(`- line ${finding.position?.line ?? 1}: ${escapeMarkdown(finding.message)}`);
    }
    lines.push("", "A valid configuration looks like this:");
  }
  lines.push("", "```yaml", example, "```", "", "The configuration is read from the default branch, so a pull request cannot change the policy that judges it.");
  return `${lines.join("\n")}\n`;
}
