// The part of the plan comment for a pull request that edits .github/slipway.yml: what the change
// would let Slipway do once merged, and whether the new file is valid and within the server's policy.
import type { ConfigChange, EnvironmentChange, SettingChange } from "../config/config-change.js";
import { configPath } from "../config/load.js";
import type { Finding } from "../manifests/types.js";
import { codeSpan, escapeMarkdown } from "./escape.js";
import { truncateText } from "./limits.js";

export interface ConfigChangeReport {
  change?: ConfigChange;
  /** The new file does not parse or does not fit the schema. */
  invalid?: Finding[];
  /** The new file asks for more than the server's policy grants. */
  beyondPolicy?: Finding[];
}

const VALUE_MAX = 200;

export function renderConfigChange(report: ConfigChangeReport): string {
  const lines = [`### Configuration change (${codeSpan(configPath)})`, "", "This pull request changes what Slipway may do in this repository; it takes effect once merged into the default branch."];
  if (report.invalid) {
    lines.push("", "> [!CAUTION]", `> **The new ${codeSpan(configPath)} is invalid**; once merged, Slipway would plan and apply nothing here:`, ...findingLines(report.invalid));
  }
  if (report.beyondPolicy) {
    lines.push("", "> [!CAUTION]", "> **The server's policy would refuse it**; once merged, nothing would touch the cluster:", ...findingLines(report.beyondPolicy));
  }
  if (report.change) {
    lines.push("", ...report.change.settings.map((setting) => `- ${settingLine(setting)}`), ...report.change.environments.map(environmentLine));
  }
  return `${lines.join("\n")}\n`;
}

function findingLines(findings: Finding[]): string[] {
  return findings.map((finding) => `> - line ${finding.position?.line ?? 1}: ${escapeMarkdown(truncateText(finding.message, 500))}`);
}

function environmentLine(change: EnvironmentChange): string {
  const name = `**${escapeMarkdown(change.name)}**`;
  switch (change.kind) {
    case "added":
      return `- ➕ environment ${name} added: ${change.settings.map((setting) => `${codeSpan(setting.setting)} ${value(setting.after)}`).join(", ")}`;
    case "removed":
      return `- ➖ environment ${name} removed: Slipway stops planning and applying it; what it applied stays in the cluster.`;
    case "changed":
      return `- ✏️ environment ${name}: ${change.settings.map(settingLine).join("; ")}`;
  }
}

function settingLine(setting: SettingChange): string {
  return `${codeSpan(setting.setting)} ${value(setting.before)} → ${value(setting.after)}`;
}

const value = (text: string) => codeSpan(truncateText(text, VALUE_MAX));
