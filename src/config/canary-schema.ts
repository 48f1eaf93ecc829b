// `canary:` under an environment in .github/slipway.yml: which workloads a merge rolls out as a
// canary, how traffic moves to it, and what Prometheus must say before it moves further. The
// Prometheus address is never here: it is the server's, per kube context (its policy file).
import * as z from "zod";

/** `10s`, `1m`, `1m30s`, `2h`: a duration, as milliseconds. */
export const duration = z
  .string()
  .regex(/^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/, "a duration such as 30s, 1m or 1m30s")
  .refine((text) => text !== "", "a duration such as 30s, 1m or 1m30s")
  .transform((text) => {
    const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(text)?.[1] ?? 0);
    return (part("h") * 3600 + part("m") * 60 + part("s")) * 1000;
  });

const weight = z.number().int().min(1).max(99);

/** The names of the metrics Slipway builds itself; a custom metric may not take one. */
export const builtinMetricNames = ["success-rate", "latency-p99", "error-rate-increase", "latency-ratio"];

/**
 * What a custom query's `{{name}}` (or `{{ name }}`, as Flagger writes it) may name: the
 * environment's namespace, the stable Deployment (`workload`, also `primary` as Flagger calls
 * it), the canary Deployment (`canary`), the Service and the query window (`interval`).
 */
export const templateVariables = ["namespace", "workload", "canary", "primary", "service", "interval"] as const;
export type TemplateVariable = (typeof templateVariables)[number];

/** Every `{{...}}` in a query, as written (`{{ namespace }}`), with the name inside. */
export const templatePattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

const knownVariablesText = templateVariables.map((name) => `{{${name}}}`).join(", ");

/** The `{{...}}` a query writes that are not template variables, as written. */
export function unknownTemplateVariables(query: string): string[] {
  const known: readonly string[] = templateVariables;
  return [...query.matchAll(templatePattern)].filter((match) => !known.includes(match[1] ?? "")).map((match) => match[0]);
}

const metricsSchema = z
  .object({
    telemetry: z
      .enum(["istio", "app"])
      .default("istio")
      .describe(
        "Where the builtin metrics come from: istio (istio_requests_total and istio_request_duration_milliseconds, by destination workload) or app (http_requests_total and http_request_duration_seconds from the pods, by namespace and pod).",
      ),
    successRate: z
      .object({ min: z.number().min(0).max(100).describe("The lowest acceptable share of non-5xx responses, in percent.") })
      .strict()
      .nullable()
      .default({ min: 99 })
      .describe("Request success rate of the canary (null: not checked)."),
    latencyP99: z
      .object({ max: z.number().positive().describe("The highest acceptable 99th percentile, in milliseconds.") })
      .strict()
      .nullable()
      .default({ max: 500 })
      .describe("Request duration p99 of the canary (null: not checked)."),
    custom: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and -")
              .refine((name) => !builtinMetricNames.includes(name), `a builtin metric's name (${builtinMetricNames.join(", ")}); choose another`),
            query: z
              .string()
              .min(1)
              .superRefine((query, ctx) => {
                const unknown = unknownTemplateVariables(query);
                if (unknown.length > 0) ctx.addIssue({ code: "custom", message: `unknown template variable ${unknown.join(", ")}; known: ${knownVariablesText}` });
              })
              .describe(`PromQL returning one number; ${knownVariablesText} are filled in ({{interval}} is the query window).`),
            min: z.number().optional().describe("The lowest acceptable value."),
            max: z.number().optional().describe("The highest acceptable value."),
            unit: z.string().max(16).optional().describe("How the value reads in check runs: %, ms, req/s."),
          })
          .strict()
          .refine((metric) => metric.min !== undefined || metric.max !== undefined, "give min, max or both")
          .refine((metric) => metric.min === undefined || metric.max === undefined || metric.min <= metric.max, { message: "min is above max: no value could pass", path: ["min"] }),
      )
      .default(() => [])
      .superRefine((metrics, ctx) => {
        const seen = new Set<string>();
        metrics.forEach((metric, index) => {
          if (seen.has(metric.name)) ctx.addIssue({ code: "custom", path: [index, "name"], message: `two custom metrics are named ${metric.name}` });
          seen.add(metric.name);
        });
      })
      .describe("More checks in PromQL, each with its threshold."),
    compareToPrimary: z
      .object({
        maxErrorRateIncrease: z.number().min(0).optional().describe("Canary error rate minus the stable one, in percentage points, at most this."),
        maxLatencyRatio: z.number().min(1).optional().describe("Canary p99 divided by the stable p99, at most this."),
      })
      .strict()
      .optional()
      .describe("Checks relative to the stable workload serving the same traffic at the same time."),
  })
  .strict();

export const canarySchema = z
  .object({
    workload: z
      .string()
      .regex(/^Deployment\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "Deployment/<name>, in the environment's namespace")
      .describe("The workload rolled out as a canary: Deployment/<name> in the environment's namespace."),
    service: z.string().min(1).describe("The Service in front of it; its canary twin is <service>-canary."),
    router: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("gateway-api"), httpRoute: z.string().min(1) }).strict(),
        z.object({ type: z.literal("istio"), virtualService: z.string().min(1) }).strict(),
      ])
      .describe("What splits the traffic: a Gateway API HTTPRoute or an Istio VirtualService that routes to the Service."),
    steps: z
      .union([
        z.array(weight).min(1).describe("Canary weights in percent, rising: [5, 10, 25, 50]."),
        z.object({ stepWeight: weight, maxWeight: weight }).strict().describe("Linear steps, as Flagger's stepWeight and maxWeight."),
      ])
      .default([5, 10, 25, 50])
      .describe("How the canary's share of traffic grows before promotion."),
    interval: duration
      .prefault("1m")
      .describe("Time between checks, and how long each step lasts; also the window of the queries, widened to four scrape intervals of the server's Prometheus when shorter."),
    threshold: z.number().int().min(1).max(100).default(2).describe("Failed checks that roll the canary back."),
    minRequests: z.number().int().min(0).default(20).describe("Requests the canary must have served in a check's window for its metrics to count."),
    promotion: z.enum(["auto", "manual"]).default("auto").describe("auto: promote after the last step; manual: wait at the gate for /canary promote."),
    progressDeadline: duration.prefault("10m").describe("How long the canary pods (and at promotion, the stable ones) may take to become ready."),
    metrics: metricsSchema.prefault({}),
    revertPullRequest: z
      .boolean()
      .default(false)
      .describe(
        "When the canary fails, offer a pull request that reverts its merge: `/canary revert` on the merged pull request, or the Revert button on the failed check run. Opt-in: the GitHub App must also be granted `contents: write` and `pull_requests: write`, which app.yml does not ask for.",
      ),
  })
  .strict()
  .superRefine((canary, ctx) => {
    if (Array.isArray(canary.steps)) {
      canary.steps.forEach((step, index) => {
        if (index > 0 && step <= (canary.steps as number[])[index - 1]!) ctx.addIssue({ code: "custom", path: ["steps", index], message: "steps must rise" });
      });
    } else if (canary.steps.maxWeight < canary.steps.stepWeight) {
      ctx.addIssue({ code: "custom", path: ["steps", "maxWeight"], message: "maxWeight must be at least stepWeight" });
    }
    if (canary.interval < 1000) ctx.addIssue({ code: "custom", path: ["interval"], message: "the interval must be at least 1s" });
  });

export type CanaryConfig = z.infer<typeof canarySchema>;
export type CanaryMetricsConfig = CanaryConfig["metrics"];

/** The weights a canary goes through, from its `steps`. */
export function canaryWeights(steps: CanaryConfig["steps"]): number[] {
  if (Array.isArray(steps)) return steps;
  const weights: number[] = [];
  for (let weight = steps.stepWeight; weight <= steps.maxWeight; weight += steps.stepWeight) weights.push(weight);
  return weights;
}

/** The workload's name: `web` for `Deployment/web`. */
export const canaryWorkloadName = (canary: Pick<CanaryConfig, "workload">): string => canary.workload.slice("Deployment/".length);
