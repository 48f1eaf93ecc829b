// The server's own settings, from its environment. Secrets (the webhook secret, the private
// key) stay with Probot; this only reads what Slipway itself needs.

export interface ServerSettings {
  fieldManager: string;
  /** Refuse to run in production without a real webhook secret (Probot would use "development"). */
  production: boolean;
  /** How often every installed repository's environments are reconciled (0: never). */
  reconcileIntervalMs: number;
}

export function readServerSettings(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const fieldManager = env.SLIPWAY_FIELD_MANAGER?.trim() || "slipway";
  if (fieldManager.length > 128) throw new Error("SLIPWAY_FIELD_MANAGER must be at most 128 characters");
  const production = env.NODE_ENV === "production";
  if (production && (!env.WEBHOOK_SECRET || env.WEBHOOK_SECRET === "development")) {
    throw new Error("WEBHOOK_SECRET must be set in production (Probot would otherwise accept any delivery)");
  }
  const reconcile = env.SLIPWAY_RECONCILE_INTERVAL_SECONDS?.trim() || "180";
  if (!/^\d+$/.test(reconcile)) throw new Error("SLIPWAY_RECONCILE_INTERVAL_SECONDS must be a whole number of seconds (0: no reconcile)");
  return { fieldManager, production, reconcileIntervalMs: Number(reconcile) * 1000 };
}
