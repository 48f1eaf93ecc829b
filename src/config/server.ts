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
  /** How much of a repository's tarball Slipway reads. */
  tarball: TarballLimits;
}

/** The caps on reading a repository's tarball; passing one stops the read with an error that names it. */
export interface TarballLimits {
  /** Bytes the archive may unpack to in all (default 1 GiB): a gzip bomb stops here. */
  maxUnpackedBytes: number;
  /** Bytes of the files under the environments' paths kept in memory (default 256 MiB). */
  maxKeptBytes: number;
}

export const defaultTarballLimits: TarballLimits = {
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxKeptBytes: 256 * 1024 * 1024,
};

/** The variable that sets each cap, named in the error that says it was passed. */
export const tarballLimitVariables: Record<keyof TarballLimits, string> = {
  maxUnpackedBytes: "SLIPWAY_TARBALL_MAX_BYTES",
  maxKeptBytes: "SLIPWAY_TARBALL_MAX_MANIFEST_BYTES",
};

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
  return { fieldManager, production, reconcileIntervalMs: Number(reconcile) * 1000, shutdownDeadlineMs: Number(deadline) * 1000, tarball: readTarballLimits(env) };
}

function readTarballLimits(env: NodeJS.ProcessEnv): TarballLimits {
  const read = (cap: keyof TarballLimits): number => {
    const variable = tarballLimitVariables[cap];
    const text = env[variable]?.trim();
    if (!text) return defaultTarballLimits[cap];
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
      throw new SettingsError(`${variable} must be a whole number of bytes (default ${defaultTarballLimits[cap]})`);
    }
    return Number(text);
  };
  return { maxUnpackedBytes: read("maxUnpackedBytes"), maxKeptBytes: read("maxKeptBytes") };
}
