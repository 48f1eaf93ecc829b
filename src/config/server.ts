// The server's own settings, from its environment. Secrets (the webhook secret, the private
// key) stay with Probot; this only reads what Slipway itself needs.
import { SettingsError } from "./server-security.js";

export interface ServerSettings {
  fieldManager: string;
  /** Refuse to run in production without a real webhook secret (Probot would use "development"). */
  production: boolean;
  /** How often every installed repository's environments are reconciled (0: never). */
  reconcileIntervalMs: number;
  /** On SIGTERM, how long running work may take before it is interrupted. */
  shutdownDeadlineMs: number;
}

export function readServerSettings(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const fieldManager = env.SLIPWAY_FIELD_MANAGER?.trim() || "slipway";
  if (fieldManager.length > 128) throw new SettingsError("SLIPWAY_FIELD_MANAGER must be at most 128 characters");
  const production = env.NODE_ENV === "production";
  if (production && (!env.WEBHOOK_SECRET || env.WEBHOOK_SECRET === "development")) {
    throw new SettingsError("WEBHOOK_SECRET must be set in production (Probot would otherwise accept any delivery)");
  }
  const reconcile = env.SLIPWAY_RECONCILE_INTERVAL_SECONDS?.trim() || "180";
  if (!/^\d+$/.test(reconcile)) throw new SettingsError("SLIPWAY_RECONCILE_INTERVAL_SECONDS must be a whole number of seconds (0: no reconcile)");
  const deadline = env.SLIPWAY_SHUTDOWN_DEADLINE_SECONDS?.trim() || "25";
  if (!/^\d+$/.test(deadline)) throw new SettingsError("SLIPWAY_SHUTDOWN_DEADLINE_SECONDS must be a whole number of seconds");
  return { fieldManager, production, reconcileIntervalMs: Number(reconcile) * 1000, shutdownDeadlineMs: Number(deadline) * 1000 };
}
