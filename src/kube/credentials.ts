// The auth headers of a kubeconfig's current user. They are cached for a minute (an exec plugin
// is a process per call), and refreshed when the server answers 401: token files and exec
// credentials expire, and client-go likewise runs an exec plugin again on a 401.
// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "./kubeconfig.js";
import { withFreshCredentials } from "./kubeconfig.js";

/** How long cached auth headers (tokens from exec plugins, say) are reused. */
export const authHeaderTtlMs = 60_000;

export interface AuthHeaders {
  value: Record<string, string>;
  /** Which refresh these headers come from: a 401 refreshes only the generation it saw. */
  generation: number;
}

export class Credentials {
  private cached: { headers: AuthHeaders; expires: number } | undefined;
  private generation = 0;
  private refreshCount = 0;

  constructor(private kubeConfig: KubeConfig) {}

  /** How many times a 401 made the credentials be read again: data for metrics. */
  get refreshes(): number {
    return this.refreshCount;
  }

  async headers(): Promise<AuthHeaders> {
    if (this.cached && this.cached.expires > Date.now()) return this.cached.headers;
    const generation = this.generation;
    const opts: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const value: Record<string, string> = {};
    for (const [key, header] of Object.entries(opts.headers ?? {})) {
      // A token file usually ends in a newline, which is not allowed in a header.
      if (typeof header === "string" || typeof header === "number") value[key.toLowerCase()] = String(header).trim();
    }
    if (opts.auth) value.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    const headers = { value, generation };
    // A refresh while these were being read makes them stale: do not cache them.
    if (generation === this.generation) this.cached = { headers, expires: Date.now() + authHeaderTtlMs };
    return headers;
  }

  /**
   * Reads the credentials again after the server refused those of `generation`. Requests in
   * flight together all see the same 401; only the first refreshes, the others use its result.
   */
  refresh(generation: number): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    this.refreshCount += 1;
    this.kubeConfig = withFreshCredentials(this.kubeConfig);
    this.cached = undefined;
  }
}
