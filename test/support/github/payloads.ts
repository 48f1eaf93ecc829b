// Real webhook payloads, as GitHub sent them, from @octokit/webhooks-examples: tests start from a
// delivery GitHub actually made and override only the fields they care about.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Probot } from "probot";

/** What `probot.receive` accepts: one member per event name. */
export type WebhookEvent = Parameters<Probot["receive"]>[0];
export type WebhookName = WebhookEvent["name"];
export type WebhookPayload<N extends WebhookName> = Extract<WebhookEvent, { name: N }>["payload"];
export type WebhookAction<N extends WebhookName> = WebhookPayload<N> extends infer P
  ? P extends { action: infer A extends string }
    ? A
    : never
  : never;
/** The payload of `name` narrowed to `action`, e.g. the `issue_comment.created` payload. */
export type ActionPayload<N extends WebhookName, A extends WebhookAction<N> | undefined> = A extends string
  ? Extract<WebhookPayload<N>, { action: A }>
  : WebhookPayload<N>;

/** Objects merge field by field; arrays and everything else replace. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Examples from repository webhooks lack `installation`; an app always receives one, so we add it. */
export const EXAMPLE_INSTALLATION_ID = 1;

interface ExampleDefinition {
  name: string;
  examples: Record<string, unknown>[];
}

let definitions: ExampleDefinition[] | undefined;

function loadExamples(): ExampleDefinition[] {
  definitions ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8"),
  ) as ExampleDefinition[];
  return definitions;
}

/**
 * A fresh copy of a real `name` (`action`) payload with `overrides` merged in. Prefers an example
 * delivered to an app (one with `installation`), since that is what Slipway receives.
 */
export function examplePayload<N extends WebhookName, A extends WebhookAction<N> | undefined = undefined>(
  name: N,
  action?: A,
  overrides: DeepPartial<ActionPayload<N, A>> = {} as DeepPartial<ActionPayload<N, A>>,
): ActionPayload<N, A> {
  const examples = loadExamples().find((definition) => definition.name === name)?.examples ?? [];
  const candidates = examples.filter((example) => action === undefined || example.action === action);
  const chosen = candidates.find((example) => "installation" in example) ?? candidates[0];
  if (!chosen) {
    const label = action === undefined ? name : `${name}.${String(action)}`;
    const actions = [...new Set(examples.map((example) => String(example.action)))].join(", ");
    throw new Error(`@octokit/webhooks-examples has no ${label} example${actions ? `; ${name} has ${actions}` : ""}`);
  }
  const payload = structuredClone(chosen);
  payload.installation ??= { id: EXAMPLE_INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return mergeDeep(payload, overrides) as ActionPayload<N, A>;
}

/** A delivery for `probot.receive`, with a fresh delivery id. */
export function exampleEvent<N extends WebhookName, A extends WebhookAction<N> | undefined = undefined>(
  name: N,
  action?: A,
  overrides?: DeepPartial<ActionPayload<N, A>>,
): { id: string; name: N; payload: ActionPayload<N, A> } {
  return { id: randomUUID(), name, payload: examplePayload(name, action, overrides) };
}

/** A push of `sha` to main of `owner/repo` (default: the example repository, Codertocat/Hello-World). */
export function examplePushEvent(sha: string, target: { owner: string; repo: string } = { owner: "Codertocat", repo: "Hello-World" }) {
  return exampleEvent("push", undefined, {
    ref: "refs/heads/main",
    after: sha,
    deleted: false,
    repository: { name: target.repo, full_name: `${target.owner}/${target.repo}`, owner: { login: target.owner, name: target.owner }, default_branch: "main" },
  });
}

function mergeDeep(target: Record<string, unknown>, overrides: unknown): Record<string, unknown> {
  if (!isPlainObject(overrides)) return target;
  for (const [key, value] of Object.entries(overrides)) {
    const current = target[key];
    target[key] = isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : structuredClone(value);
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
