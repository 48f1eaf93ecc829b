// `slipway canary <verb> [options] <workload>`: the arguments, checked before anything is loaded
// or any cluster is asked. A mistake is a UsageError (exit code 2).
import { parseArgs } from "node:util";
import { UsageError } from "./local-files.js";

/** The verbs the command line offers; `retry` needs an apply of the branch, which only the server does. */
export const commandLineVerbs = ["status", "promote", "abort", "pause", "resume"] as const;
export type CommandLineVerb = (typeof commandLineVerbs)[number];

export interface CanaryArgs {
  verb: CommandLineVerb;
  /** The stable Deployment's name (`Deployment/` dropped). */
  workload: string;
  full: boolean;
  context?: string;
  kubeconfig?: string;
  namespace?: string;
  environment?: string;
}

/** A Deployment's name, a DNS subdomain, as `canary[].workload` names it. */
const WORKLOAD = /^(?:Deployment\/)?([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)$/;

const isCommandLineVerb = (word: string): word is CommandLineVerb => (commandLineVerbs as readonly string[]).includes(word);

/** The arguments after `canary`; `{ help: true }` for `--help`. */
export function parseCanaryArgs(argv: string[]): CanaryArgs | { help: true } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      context: { type: "string" },
      kubeconfig: { type: "string" },
      namespace: { type: "string", short: "n" },
      environment: { type: "string" },
      full: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { help: true };
  const [verb, workload, ...extra] = positionals;
  if (verb === undefined) throw new UsageError(`say what to do: slipway canary ${commandLineVerbs.join("|")} <workload>`);
  if (verb === "retry") throw new UsageError("retry is not on the command line: it starts the canary again with an apply of the environment's branch, which the server does. Comment `/canary retry` on the pull request that merged it.");
  if (verb === "revert") throw new UsageError("revert is not on the command line: it opens a pull request on GitHub. Comment `/canary revert` on the pull request that merged it.");
  if (!isCommandLineVerb(verb)) throw new UsageError(`"${verb}" is not something a canary can do; the verbs are ${commandLineVerbs.join(", ")}`);
  if (workload === undefined) throw new UsageError(`name the workload: slipway canary ${verb} <workload>`);
  if (extra.length > 0) throw new UsageError(`one workload at a time; ${extra.map((word) => `"${word}"`).join(", ")} is too many`);
  const name = WORKLOAD.exec(workload)?.[1];
  if (name === undefined) throw new UsageError(`"${workload}" is not a Deployment's name`);
  if (values.full && verb !== "promote") throw new UsageError(`--full goes with promote only, not with ${verb}`);
  return {
    verb,
    workload: name,
    full: values.full,
    ...(values.context !== undefined ? { context: values.context } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.environment !== undefined ? { environment: values.environment } : {}),
  };
}
