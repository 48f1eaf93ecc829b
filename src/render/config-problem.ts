// What Slipway answers when a repository gets no cluster access: its .github/slipway.yml is
// missing, invalid or beyond what the server's policy grants, or the policy has no rule for it.
import { configPath } from "../config/load.js";
import type { Finding } from "../manifests/types.js";
import { escapeMarkdown } from "./escape.js";

const example = [
  "environments:",
  "  - name: production",
  '    paths: ["deploy/production/**/*.yaml"]',
  "    namespace: apps",
].join("\n");

export type ConfigProblem =
  | { kind: "missing" }
  | { kind: "invalid"; findings: Finding[] }
  | { kind: "beyond-policy"; findings: Finding[] }
  | { kind: "no-rule" };

/** One paragraph and a list, for a sticky comment or a check run's summary. */
export function describeConfigProblem(problem: ConfigProblem, where: "default branch" | "commit"): string {
  const lines: string[] = [];
  const findingLines = (findings: Finding[]) => findings.map((finding) => `- line ${finding.position?.line ?? 1}: ${escapeMarkdown(finding.message)}`);
  switch (problem.kind) {
    case "missing":
      lines.push(`The ${where} has no \`${configPath}\`, so Slipway does not know which manifests belong to which cluster. Add one, for example:`);
      lines.push("", "```yaml", example, "```");
      break;
    case "invalid":
      lines.push(`\`${configPath}\` on the ${where} is invalid:`, "", ...findingLines(problem.findings), "", "A valid configuration looks like this:", "", "```yaml", example, "```");
      break;
    case "beyond-policy":
      lines.push(
        `\`${configPath}\` on the ${where} asks for more than the Slipway server's policy grants this repository, so nothing touches the cluster:`,
        "",
        ...findingLines(problem.findings),
        "",
        "A repository's configuration can only narrow what the server's operator granted it; ask them if you need more.",
      );
      break;
    case "no-rule":
      lines.push("The Slipway server's policy grants this repository no cluster access, so Slipway plans and applies nothing here. Ask the operator of the Slipway server to add a rule for it.");
      break;
  }
  return lines.join("\n");
}

export function renderConfigProblem(params: { problem: ConfigProblem; marker: string }): string {
  const heading = params.problem.kind === "no-rule" ? "### Slipway has no access for this repository" : "### Slipway could not plan this pull request";
  const body = describeConfigProblem(params.problem, "default branch");
  const footer = params.problem.kind === "no-rule" ? "" : "\n\nThe configuration is read from the default branch, so a pull request cannot change the policy that judges it.";
  return `${params.marker}\n${heading}\n\n${body}${footer}\n`;
}
