// Raw HTTPS access to the Kubernetes API, authenticated from a kubeconfig.
//
// Why not @kubernetes/client-node's API classes: their model serializer drops fields it does
// not know (so fieldValidation=Strict never sees a typo) and rewrites responses. We use the
// library only for what it does well, loading kubeconfigs and their auth, and speak HTTP here,
// over one keep-alive agent with a timeout on every request.
import { Agent, request as httpsRequest, type RequestOptions } from "node:https";
import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { createSecureContext } from "node:tls";
import type { KubeConfig } from "./kubeconfig.js";
import { Credentials } from "./credentials.js";
import { KubeAbortedError, KubeApiError, KubeTransportError, isRetryable, isUnauthorized, type ApiStatus } from "./errors.js";
import { loadKubeConfig } from "./kubeconfig.js";

export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Retry 429, 5xx and transport failures (default: every method but POST). */
  retry?: boolean;
  /**
   * Gives the request up when it fires, in flight or waiting to retry, with a KubeAbortedError:
   * an apply whose Lease was lost must stop writing at once.
   */
  signal?: AbortSignal;
}

export interface KubeResponse<T = unknown> {
  statusCode: number;
  body: T;
  /** Warning headers the server sent (deprecated APIs, unknown fields under fieldValidation=Warn). */
  warnings: string[];
}

/** Whom to act as (Impersonate-User / Impersonate-Group): the cluster's RBAC then judges every request. */
export interface Impersonation {
  user: string;
  groups: string[];
}

export interface KubeClientOptions {
  /** Act as this identity; the kubeconfig's own identity needs RBAC `impersonate` for it. */
  impersonate?: Impersonation;
  timeoutMs: number;
  maxSockets: number;
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const defaultKubeClientOptions: KubeClientOptions = {
  timeoutMs: 30_000,
  maxSockets: 32,
  retries: 4,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
};

export class KubeClient {
  readonly server: URL;
  readonly contextName: string;
  private readonly agent: Agent | HttpAgent;
  private readonly options: KubeClientOptions;
  /** The kubeconfig user's auth headers; read again after a 401. */
  readonly credentials: Credentials;

  private constructor(kubeConfig: KubeConfig, tls: RequestOptions, options: Partial<KubeClientOptions>) {
    this.options = { ...defaultKubeClientOptions, ...options };
    this.credentials = new Credentials(kubeConfig);
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig context "${kubeConfig.getCurrentContext()}" names no cluster`);
    this.server = new URL(cluster.server);
    this.contextName = kubeConfig.getCurrentContext();
    const agentOptions = { keepAlive: true, maxSockets: this.options.maxSockets };
    this.agent =
      this.server.protocol === "http:"
        ? new HttpAgent(agentOptions)
        : new Agent({
            ...agentOptions,
            // One TLS context for every connection: building it (parsing the CA) per connection
            // costs more than the request on a busy plan.
            secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, pfx: tls.pfx, passphrase: tls.passphrase }),
            servername: tls.servername,
            rejectUnauthorized: tls.rejectUnauthorized,
          });
  }

  /** Loads a kubeconfig with the standard rules (KUBECONFIG, ~/.kube/config, in-cluster) and picks a context. */
  static async fromKubeConfig(params: {
    kubeConfig?: KubeConfig;
    context?: string;
    options?: Partial<KubeClientOptions>;
  } = {}): Promise<KubeClient> {
    const kubeConfig = params.kubeConfig ?? loadKubeConfig();
    if (params.context) {
      // The message names no other context: it can reach a repository's check run.
      if (!kubeConfig.getContextObject(params.context)) throw new Error(`kubeconfig has no context "${params.context}"`);
      kubeConfig.setCurrentContext(params.context);
    }
    const tls: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    return new KubeClient(kubeConfig, tls, params.options ?? {});
  }

  async request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>> {
    const retry = req.retry ?? req.method !== "POST";
    let refreshed = false;
    for (let attempt = 0; ; ) {
      const auth = await this.credentials.headers();
      try {
        return await this.send<T>(req, auth.value);
      } catch (error) {
        // Expired credentials (a token file rotated, an exec credential past its time): read
        // them again and try once more. A 401 means the server did not act on the request, so
        // even a POST may be sent again.
        if (isUnauthorized(error) && !refreshed) {
          refreshed = true;
          this.credentials.refresh(auth.generation);
          continue;
        }
        if (!retry || attempt >= this.options.retries || !isRetryable(error)) throw error;
        await sleep(this.backoffMs(attempt, error), req);
        attempt += 1;
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private backoffMs(attempt: number, error: unknown): number {
    const retryAfter = error instanceof KubeApiError ? error.retryAfterSeconds : undefined;
    if (retryAfter !== undefined) return Math.min(retryAfter * 1000, this.options.retryMaxMs);
    const exponential = this.options.retryBaseMs * 2 ** attempt;
    return Math.min(exponential / 2 + Math.random() * (exponential / 2), this.options.retryMaxMs);
  }

  private async send<T>(req: KubeRequest, auth: Record<string, string>): Promise<KubeResponse<T>> {
    const url = new URL(this.server.pathname.replace(/\/$/, "") + req.path, this.server);
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const body = req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string | string[]> = {
      ...auth,
      accept: req.accept ?? "application/json",
      "user-agent": "slipway",
    };
    // https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation
    const { impersonate } = this.options;
    if (impersonate) {
      headers["impersonate-user"] = impersonate.user;
      if (impersonate.groups.length > 0) headers["impersonate-group"] = impersonate.groups;
    }
    if (body !== undefined) {
      headers["content-type"] = req.contentType ?? "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const described = { method: req.method, path: url.pathname };
    const { signal } = req;
    if (signal?.aborted) throw new KubeAbortedError(described, false, signal.reason);
    const send = this.server.protocol === "http:" ? httpRequest : httpsRequest;
    // Once sent, a write may have been applied even if its answer is cut off.
    const failed = (error: Error) =>
      signal?.aborted ? new KubeAbortedError(described, true, signal.reason) : error instanceof KubeTransportError ? error : new KubeTransportError(error.message, described, { cause: error });

    return new Promise<KubeResponse<T>>((resolve, reject) => {
      const options = { method: req.method, headers, agent: this.agent, timeout: this.options.timeoutMs, signal };
      const outgoing = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(failed(error)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const statusCode = res.statusCode ?? 0;
          const warnings = parseWarnings(res.headers.warning);
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's HTML error page, say): keep the text for the message.
          }
          if (statusCode >= 200 && statusCode < 300) {
            resolve({ statusCode, body: parsed as T, warnings });
            return;
          }
          const status: ApiStatus =
            parsed && typeof parsed === "object" ? (parsed) : { message: text.slice(0, 500) };
          const retryAfterHeader = Number(res.headers["retry-after"]);
          const retryAfter = Number.isFinite(retryAfterHeader) ? retryAfterHeader : status.details?.retryAfterSeconds;
          reject(new KubeApiError(statusCode, status, described, retryAfter));
        });
      });
      outgoing.on("timeout", () =>
        outgoing.destroy(new KubeTransportError(`no answer within ${this.options.timeoutMs} ms`, described)),
      );
      outgoing.on("error", (error) => reject(failed(error)));
      outgoing.end(body);
    });
  }
}

/** The kubeconfig of the standard loading rules (KUBECONFIG, ~/.kube/config, in-cluster). */
export const loadDefaultKubeConfig = (): KubeConfig => loadKubeConfig();

function parseWarnings(header: string | string[] | undefined): string[] {
  if (!header) return [];
  // Warning: 299 - "message" (RFC 7234); several arrive comma-joined or as repeated headers.
  const raw = Array.isArray(header) ? header.join(",") : header;
  return [...raw.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((match) => (match[1] ?? "").replace(/\\(.)/g, "$1"));
}

/** Waits before a retry; an abort ends the wait (and the request) at once. */
function sleep(ms: number, req: KubeRequest): Promise<void> {
  const { signal } = req;
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      // An earlier attempt was sent: it may have been applied before it failed.
      reject(new KubeAbortedError({ method: req.method, path: req.path }, true, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    if (signal?.aborted) aborted();
    else signal?.addEventListener("abort", aborted, { once: true });
  });
}
