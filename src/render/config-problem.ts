// The sticky comment for a repository whose .github/slipway.yml is missing or invalid: what is
// wrong, where, and what to do.
import { configPath } from "../config/load.js";
import type { Finding } from "../manifests/types.js";
import { escapeMarkdown } from "./escape.js";

const example = [
  "environments:",
  "  - name: production",
  '    paths: ["deploy/production/**/*.yaml"]',
  "    namespace: apps",
].join("\n");

export type ConfigProblem = { missing: true } | { findings: Finding[] };

export function renderConfigProblem(params: { problem: ConfigProblem; marker: string }): string {
  const { problem } = params;
  const lines = [params.marker, "### Slipway could not plan this pull request", ""];
  if ("missing" in problem) {
    lines.push(`The default branch has no \`${configPath}\`, so Slipway does not know which manifests belong to which cluster. Add one, for example:`);
  } else {
    lines.push(`\`${configPath}\` on the default branch is invalid:`, "");
    for (const finding of problem.findings) {
      lines.push(`- line ${finding.position?.line ?? 1}: ${escapeMarkdown(finding.message)}`);
    }
    lines.push("", "A valid configuration looks like this:");
  }
  lines.push("", "```yaml", example, "```", "", "The configuration is read from the default branch, so a pull request cannot change the policy that judges it.");
  return `${lines.join("\n")}\n`;
}
