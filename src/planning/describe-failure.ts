// A plan that could not run against its cluster: which environment, what failed, what to do.
// The text goes into comments and check runs, so Secret values are scrubbed from it.
import { isApiError, KubeTransportError } from "../kube/errors.js";
import type { KubeObject } from "../manifests/object.js";
import { scrubSecretValues } from "../plan/secrets.js";

export function describeClusterFailure(params: { environment: string; context: string; error: unknown; secrets: KubeObject[] }): string {
  const { environment, context, error } = params;
  const where = `Environment ${environment} (kubeconfig context "${context}")`;
  let text: string;
  if (error instanceof KubeTransportError) {
    text = `${where}: the Kubernetes API server could not be reached (${error.message}). Check that the cluster is up and reachable from the Slipway server, then re-run the plan.`;
  } else if (isApiError(error) && error.statusCode === 401) {
    text = `${where}: the Kubernetes API server rejected Slipway's credentials (401 Unauthorized). Renew the token or certificate in the Slipway server's kubeconfig.`;
  } else if (isApiError(error) && error.statusCode === 403) {
    text = `${where}: Slipway's cluster identity is missing RBAC permissions: ${error.status.message ?? error.message}. Grant it the verb and resource named there.`;
  } else if (isApiError(error) && (error.statusCode === 429 || error.statusCode >= 500)) {
    text = `${where}: the Kubernetes API server kept failing (${error.statusCode} ${error.reason ?? ""}) after retries: ${error.status.message ?? ""}. Re-run the plan when the cluster is healthy.`;
  } else {
    text = `${where}: the plan failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return scrubSecretValues(text, params.secrets);
}
