// Reading and writing objects: server-side apply (optionally dry-run), get, delete.
// https://kubernetes.io/docs/reference/using-api/server-side-apply/
import type { KubeClient } from "./client.js";
import { resourcePath, type Discovery, type ResourceMapping } from "./discovery.js";
import { isApiError, isNotFound } from "./errors.js";
import { refOf, type KubeObject, type ObjectRef } from "../manifests/object.js";

export interface ApplyOptions {
  fieldManager: string;
  /** Ask the server what it would do, without persisting anything (dryRun=All). */
  dryRun: boolean;
  /** Take over fields other managers own instead of failing with a 409 conflict. */
  force: boolean;
  /** Strict rejects unknown and duplicate fields; the server's default is Warn. */
  fieldValidation: "Strict" | "Warn" | "Ignore";
}

/** What every call takes: a signal that gives the request up (an apply whose Lease was lost). */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** Objects per page (default 500, as kubectl). */
  limit?: number;
}

const defaultListLimit = 500;

export const defaultApplyOptions: ApplyOptions = {
  fieldManager: "slipway",
  dryRun: false,
  force: false,
  fieldValidation: "Strict",
};

export class UnknownKindError extends Error {
  override readonly name = "UnknownKindError";
  constructor(readonly ref: Pick<ObjectRef, "apiVersion" | "kind">) {
    super(`the cluster does not serve ${ref.kind} in ${ref.apiVersion}`);
  }
}

export class ObjectStore {
  constructor(
    readonly client: KubeClient,
    readonly discovery: Discovery,
  ) {}

  async mapping(ref: Pick<ObjectRef, "apiVersion" | "kind">): Promise<ResourceMapping> {
    const mapping = await this.discovery.find(ref);
    if (!mapping) throw new UnknownKindError(ref);
    return mapping;
  }

  /**
   * Server-side apply of one object. The body must be the desired state only: no
   * resourceVersion (it turns the apply into an optimistic-lock write), no managedFields.
   */
  async apply(object: KubeObject, options: Partial<ApplyOptions> & CallOptions = {}): Promise<KubeObject> {
    const { signal, ...rest } = options;
    const opts = { ...defaultApplyOptions, ...rest };
    const mapping = await this.mapping(object);
    const ref = refOf(object);
    const response = await this.client.request<KubeObject>({
      method: "PATCH",
      path: resourcePath(mapping, { namespace: ref.namespace, name: ref.name }),
      query: {
        fieldManager: opts.fieldManager,
        force: String(opts.force),
        fieldValidation: opts.fieldValidation,
        dryRun: opts.dryRun ? "All" : undefined,
      },
      // JSON is YAML, and the apply-patch content type takes either.
      contentType: "application/apply-patch+yaml",
      body: stripServerFields(object),
      signal,
    });
    return response.body;
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef, options: CallOptions = {}): Promise<KubeObject | undefined> {
    const mapping = await this.mapping(ref);
    try {
      const response = await this.client.request<KubeObject>({
        method: "GET",
        path: resourcePath(mapping, { namespace: ref.namespace, name: ref.name }),
        signal: options.signal,
      });
      return response.body;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Gives up every field `manager` owns on an object and leaves their values as they are: its
   * entries are removed from managedFields by a JSON patch that holds only while the object is at
   * the resourceVersion of `live`. (An apply that omits fields would delete those no one else
   * owns.) Flux's ssa package edits managedFields the same way to hand fields over.
   * https://kubernetes.io/docs/reference/using-api/server-side-apply/#clearing-managedfields
   */
  async releaseFields(live: KubeObject, manager: string): Promise<KubeObject> {
    const entries = (live.metadata.managedFields ?? []) as Array<{ manager?: string }>;
    const kept = entries.filter((entry) => entry.manager !== manager);
    if (kept.length === entries.length) return live;
    const mapping = await this.mapping(live);
    const ref = refOf(live);
    const response = await this.client.request<KubeObject>({
      method: "PATCH",
      path: resourcePath(mapping, { namespace: ref.namespace, name: ref.name }),
      contentType: "application/json-patch+json",
      body: [
        { op: "test", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion },
        // An empty list leaves managedFields as they were; one empty entry clears them.
        { op: "replace", path: "/metadata/managedFields", value: kept.length > 0 ? kept : [{}] },
      ],
    });
    return response.body;
  }

  /**
   * Every object of a kind (in a namespace), page by page: the server answers a large list in
   * pages of `limit` and a `continue` token for the next one, so no answer grows with the cluster.
   * https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
   */
  async list(params: { apiVersion: string; kind: string; namespace?: string; labelSelector?: string }, options: ListOptions = {}): Promise<KubeObject[]> {
    const mapping = await this.mapping(params);
    const items: KubeObject[] = [];
    let token: string | undefined;
    let restarts = 0;
    for (;;) {
      try {
        const response = await this.client.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>({
          method: "GET",
          path: resourcePath(mapping, { namespace: params.namespace }),
          query: { labelSelector: params.labelSelector, limit: String(options.limit ?? defaultListLimit), continue: token },
          signal: options.signal,
        });
        items.push(...(response.body.items ?? []));
        token = response.body.metadata?.continue || undefined;
        if (!token) break;
      } catch (error) {
        // A continue token outlives etcd's compaction only for a few minutes (410 Expired): the
        // pages read so far belong to a snapshot that is gone, so the list starts again, once.
        if (!(token && isExpired(error) && restarts++ === 0)) throw error;
        items.length = 0;
        token = undefined;
      }
    }
    // Items of a list carry no apiVersion/kind; give them back their identity.
    return items.map((item) => ({ ...item, apiVersion: params.apiVersion, kind: mapping.kind }));
  }

  /** Deletes an object; true when it was there. Background propagation, as kubectl does. */
  async delete(ref: ObjectRef, options: { dryRun?: boolean } & CallOptions = {}): Promise<boolean> {
    const mapping = await this.mapping(ref);
    try {
      await this.client.request({
        method: "DELETE",
        path: resourcePath(mapping, { namespace: ref.namespace, name: ref.name }),
        query: { dryRun: options.dryRun ? "All" : undefined, propagationPolicy: "Background" },
        signal: options.signal,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

const isExpired = (error: unknown): boolean => isApiError(error) && error.statusCode === 410;

/** Removes what an apply body must never carry. */
export function stripServerFields(object: KubeObject): KubeObject {
  const { metadata, status: _status, ...rest } = object;
  const {
    managedFields: _managedFields,
    resourceVersion: _resourceVersion,
    uid: _uid,
    generation: _generation,
    creationTimestamp: _creationTimestamp,
    selfLink: _selfLink,
    generateName: _generateName,
    ...meta
  } = metadata;
  return { ...rest, metadata: meta };
}
