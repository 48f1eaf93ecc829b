// What a pull request that edits .github/slipway.yml changes in what Slipway may do: environments
// added or removed, and each setting that differs, so reviewers see what a change grants before
// it becomes the configuration that judges the next pull request. Pure: compares two parsed configs.
import type { EnvironmentConfig, RepoConfig } from "./schema.js";

export interface SettingChange {
  /** The setting, as written in .github/slipway.yml: `namespace`, `prune.allow`, `forks`. */
  setting: string;
  before: string;
  after: string;
}

export type EnvironmentChange =
  | { kind: "added"; name: string; settings: SettingChange[] }
  | { kind: "removed"; name: string }
  | { kind: "changed"; name: string; settings: SettingChange[] };

export interface ConfigChange {
  environments: EnvironmentChange[];
  /** Repository-wide settings that differ (`forks`). */
  settings: SettingChange[];
}

/** Settings in the order a reviewer should read them: where it goes and what it may do first. */
const environmentSettings: Array<keyof EnvironmentConfig> = [
  "context",
  "namespace",
  "allowedNamespaces",
  "inventoryNamespace",
  "clusterScoped",
  "adopt",
  "conflicts",
  "prune",
  "paths",
  "exclude",
  "branch",
  "readinessTimeoutSeconds",
  "drift",
];

export function diffConfigs(before: RepoConfig | undefined, after: RepoConfig): ConfigChange {
  const old = new Map((before?.environments ?? []).map((environment) => [environment.name, environment]));
  const now = new Map(after.environments.map((environment) => [environment.name, environment]));
  const environments: EnvironmentChange[] = [];
  for (const environment of after.environments) {
    const previous = old.get(environment.name);
    if (!previous) {
      environments.push({ kind: "added", name: environment.name, settings: settingChanges(undefined, environment) });
      continue;
    }
    const settings = settingChanges(previous, environment);
    if (settings.length > 0) environments.push({ kind: "changed", name: environment.name, settings });
  }
  for (const name of old.keys()) if (!now.has(name)) environments.push({ kind: "removed", name });
  const settings = before?.forks === after.forks ? [] : [{ setting: "forks", before: show(before?.forks), after: show(after.forks) }];
  return { environments, settings };
}

export function isEmptyChange(change: ConfigChange): boolean {
  return change.environments.length === 0 && change.settings.length === 0;
}

function settingChanges(before: EnvironmentConfig | undefined, after: EnvironmentConfig): SettingChange[] {
  return environmentSettings.flatMap((key) => {
    if (key === "prune") {
      return (["allow", "maxFraction"] as const).flatMap((part) => changed(`prune.${part}`, before?.prune[part], after.prune[part]));
    }
    return changed(key, before?.[key], after[key]);
  });
}

function changed(setting: string, before: unknown, after: unknown): SettingChange[] {
  return show(before) === show(after) ? [] : [{ setting, before: show(before), after: show(after) }];
}

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  return typeof value === "string" ? value : JSON.stringify(value);
}
