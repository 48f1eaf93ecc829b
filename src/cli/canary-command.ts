// `slipway canary <verb> <workload>`: an operator's way to see and steer a canary without GitHub.
// It finds the canary's state in the cluster (the ConfigMaps `slipway-canary-<environment>-<workload>`
// the server keeps in the inventory namespace), prints it, or carries out the verb with
// canary/steer.ts, as `/canary` comments and the check run's buttons do: written with the version
// it read, recorded as `<user>@<host>` via "command line". The server's next tick reads it, acts,
// and its check run shows who asked. It writes with the kubeconfig's identity: that identity needs
// get, list and update on ConfigMaps in the inventory namespace.
// Exit codes: 0 shown or recorded, 1 the canary's phase refuses the verb, 2 no such canary, bad
// arguments, or a cluster that cannot be reached or refuses access.
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { canaryStateLabel, listCanaryStates, type StoredCanaryState } from "../canary/state-store.js";
import { steerCanary } from "../canary/steer.js";
import { KubeClient } from "../kube/client.js";
import { Discovery, DiscoveryFailedError } from "../kube/discovery.js";
import { isApiError, KubeTransportError } from "../kube/errors.js";
import { loadKubeConfig } from "../kube/kubeconfig.js";
import { ObjectStore } from "../kube/objects.js";
import { renderCanaryStatusText, renderLookupProblemText, renderSteeredText, renderVerbRefusedText } from "../render/canary-text.js";
import type { CanaryArgs } from "./canary-args.js";
import { UsageError } from "./local-files.js";

export interface CanaryCommandOptions extends CanaryArgs {
  /** Who is acting, for the audit trail: `<user>@<host>`. */
  by: string;
  now?: () => number;
}

export interface CanaryCommandResult {
  exitCode: 0 | 1 | 2;
  /** For stdout. */
  output: string;
  /** For stderr: why nothing changed. */
  errors: string;
}

export async function runCanaryCommand(options: CanaryCommandOptions): Promise<CanaryCommandResult> {
  const { store, namespace, close } = await connect(options);
  try {
    return await act(store, namespace, options);
  } catch (error) {
    const problem = describeClusterProblem(error, { namespace, context: store.client.contextName });
    if (problem === undefined) throw error;
    return { exitCode: 2, output: "", errors: problem };
  } finally {
    close();
  }
}

async function act(store: ObjectStore, namespace: string, options: CanaryCommandOptions): Promise<CanaryCommandResult> {
  const now = options.now ?? Date.now;
  const found = await findCanary(store, namespace, options);
  if ("problem" in found) return { exitCode: 2, output: "", errors: renderLookupProblemText(found.problem) };
  if (options.verb === "status") return { exitCode: 0, output: renderCanaryStatusText(found.state, { now: now() }), errors: "" };
  const command = { verb: options.verb, full: options.full, by: options.by, via: "command line", id: `cli-${randomUUID()}`, now } as const;
  const steered = await steerCanary(store, found, command);
  switch (steered.outcome) {
    case "changed":
      return { exitCode: 0, output: renderSteeredText({ before: steered.before, verb: options.verb, full: options.full, by: options.by }), errors: "" };
    case "refused":
      return { exitCode: 1, output: "", errors: renderVerbRefusedText(options.verb, steered.refusal) };
    case "already-done":
      return { exitCode: 0, output: "Already carried out.\n", errors: "" };
    case "gone":
      return { exitCode: 2, output: "", errors: `The canary state ${found.namespace}/${found.name} was deleted while the command ran; nothing changed.\n` };
    case "busy":
      return { exitCode: 2, output: "", errors: `The canary state ${found.namespace}/${found.name} kept changing under the command; nothing changed. Run it again.\n` };
  }
}

/** The one state of the workload in the namespace (of the environment, when named). */
async function findCanary(store: ObjectStore, namespace: string, options: CanaryCommandOptions): Promise<StoredCanaryState | { problem: Parameters<typeof renderLookupProblemText>[0] }> {
  const states = await listCanaryStates(store, namespace, options.environment);
  const mine = states.filter((stored) => stored.state.workload === options.workload);
  const [only, ...more] = mine;
  if (only && more.length === 0) return only;
  if (only) return { problem: { reason: "several-environments", namespace, workload: options.workload, environments: mine.map((stored) => stored.state.environment).sort() } };
  const others = states.map((stored) => ({ workload: stored.state.workload, environment: stored.state.environment }));
  return { problem: { reason: "none", namespace, workload: options.workload, ...(options.environment ? { environment: options.environment } : {}), others } };
}

/** The cluster as the kubeconfig's identity, and the namespace to look in: --namespace, else the context's, else "default". */
async function connect(options: CanaryCommandOptions): Promise<{ store: ObjectStore; namespace: string; close: () => void }> {
  try {
    const kubeConfig = loadKubeConfig(options.kubeconfig ? { file: options.kubeconfig } : {});
    const client = await KubeClient.fromKubeConfig({ kubeConfig, ...(options.context ? { context: options.context } : {}) });
    const namespace = options.namespace ?? kubeConfig.getContextObject(client.contextName)?.namespace ?? "default";
    return { store: new ObjectStore(client, new Discovery(client)), namespace, close: () => client.close() };
  } catch (error) {
    throw new UsageError(`cannot load the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What to tell an operator when the cluster is the problem; undefined for anything else. */
function describeClusterProblem(thrown: unknown, where: { namespace: string; context: string }): string | undefined {
  const error = thrown instanceof DiscoveryFailedError ? thrown.cause : thrown;
  const cluster = `the cluster of kubeconfig context "${where.context}"`;
  if (error instanceof KubeTransportError) return `Cannot reach ${cluster}: ${error.message}\n`;
  if (isApiError(error) && error.statusCode === 401) return `The API server of kubeconfig context "${where.context}" rejected its credentials (401 Unauthorized): renew them.\n`;
  if (isApiError(error) && error.statusCode === 403) {
    return (
      `Your kubeconfig's identity may not do this in namespace ${where.namespace}: ${error.status.message ?? error.message}\n` +
      `slipway canary needs get, list and update on configmaps there (the ConfigMaps labelled ${canaryStateLabel}=true).\n`
    );
  }
  return undefined;
}

/** Who runs the command, for the audit trail: `alice@laptop` (the OS user and the host). */
export function operatorName(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container running as an arbitrary uid): the environment may still say.
    user = process.env.USER ?? process.env.USERNAME ?? "unknown";
  }
  return `${user}@${hostname()}`;
}
