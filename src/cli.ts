#!/usr/bin/env node
// The `slipway` command line: the same engine as the GitHub App. Parses arguments, runs one
// command (`plan`, `render`, or `canary <verb>`), prints its output, exits with its code. No logic here.
// A command imports what it uses when it runs (`--help` loads none of it): start-up is most of
// a small plan's time.
import { parseArgs } from "node:util";
import { UsageError } from "./cli/local-files.js";

const planUsage = `Usage: slipway plan [PATH...] [options]

Plans local manifests the way Slipway plans a pull request: validation, a server-side
dry-run against the cluster, diffs, ownership conflicts and pruning.

Options:
  --context NAME       kubeconfig context (default: the current context)
  --namespace NS       namespace for objects without one (default: "default")
  --base GIT-REF       compare with the manifests at this revision (removed objects are pruned)
  --offline            no cluster: validate and diff against --base only
  --output FORMAT      text (default), markdown or json
  --no-color           no ANSI colours in text output
  -h, --help           this help

Environment: SLIPWAY_CONFIG_HASH_KEY (or _FILE), the server's key for config hashes, so that
the plan matches what the server applies; SLIPWAY_FIELD_MANAGER (default "slipway");
XDG_CACHE_HOME: discovery is cached per API server in $XDG_CACHE_HOME/slipway/discovery
(default ~/.cache/slipway/discovery) for 6 hours, as kubectl caches it; an unknown kind
refreshes it.

Exit codes: 0 nothing would change, 1 something would change, 2 errors (invalid manifests,
rejected dry-runs, failing conflicts, an unreachable cluster, or bad arguments).
`;

const canaryUsage = `Usage: slipway canary status|promote|abort|pause|resume [options] WORKLOAD

Shows or steers the canary of Deployment WORKLOAD, as /canary comments do: the server's next
tick carries the command out, and the canary's check run records who asked (user@host) and
from where (command line). Writes with your kubeconfig's identity, which needs get, list and
update on ConfigMaps in the namespace.

Options:
  --context NAME       kubeconfig context (default: the current context)
  --kubeconfig FILE    kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
  -n, --namespace NS   where Slipway keeps the environment's canary states: its inventory
                       namespace (default: the context's namespace, else "default")
  --environment ENV    the environment, when the workload has canaries in several
  --full               promote: promote now, skipping the remaining steps
  -h, --help           this help

Exit codes: 0 shown, or recorded for the next tick; 1 the canary's phase refuses the verb
(it ended, or is not paused); 2 no such canary, bad arguments, or a cluster that cannot be
reached or refuses access.
`;

const renderUsage = `Usage: slipway render [ENVIRONMENT] [options]

Prints what an apply of the working tree would send for an environment of .github/slipway.yml
(needed when it has several): its manifests, or what its kustomize or helm source renders, with
the namespace, labels and config hashes Slipway stamps, each after a "# Source: FILE:LINE" line.
kustomize and helm run as the server runs them (SLIPWAY_KUSTOMIZE and SLIPWAY_HELM, else PATH).

Options:
  --show-secrets       print Secret values (replaced by their size otherwise)
  -h, --help           this help

Exit codes: 0 printed; 2 the source did not render or holds invalid manifests (on stderr),
or bad arguments.
`;

const usage = `Usage: slipway plan|render|canary ... (slipway COMMAND --help for one command's)
       slipway --version

${planUsage}\n${renderUsage}\n${canaryUsage}`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "canary") return canary(argv.slice(1));
  if (argv[0] === "render") return render(argv.slice(1));
  if (argv[0] === "--version" || argv[0] === "-v") {
    const { slipwayVersion } = await import("./cli/version.js");
    process.stdout.write(`slipway ${slipwayVersion()} (node ${process.version})\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      context: { type: "string" },
      namespace: { type: "string" },
      base: { type: "string" },
      offline: { type: "boolean", default: false },
      output: { type: "string", default: "text" },
      "no-color": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...paths] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  if (command !== "plan") throw new UsageError(`unknown command "${command}"; the commands are plan, render and canary`);
  const output = values.output;
  if (output !== "text" && output !== "markdown" && output !== "json") throw new UsageError(`--output must be text, markdown or json`);
  const [{ runPlanCommand }, { readServerSettings }, { readCommandLineHashKey }, { defaultDiscoveryCacheDir }] = await Promise.all([
    import("./cli/plan-command.js"),
    import("./config/server.js"),
    import("./config/server-security.js"),
    import("./kube/discovery-cache.js"),
  ]);
  const result = await runPlanCommand({
    paths,
    context: values.context,
    namespace: values.namespace,
    base: values.base,
    offline: values.offline,
    output,
    fieldManager: readServerSettings().fieldManager,
    configHashKey: readCommandLineHashKey(process.env),
    color: !values["no-color"] && process.stdout.isTTY === true && !process.env.NO_COLOR,
    cwd: process.cwd(),
    discoveryCacheDir: defaultDiscoveryCacheDir(process.env),
  });
  process.stdout.write(result.output);
  return result.exitCode;
}

async function render(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { "show-secrets": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    process.stdout.write(renderUsage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`render takes one environment, not ${positionals.length}`);
  const [{ runRenderCommand }, { readCommandLineHashKey }] = await Promise.all([import("./cli/render-command.js"), import("./config/server-security.js")]);
  const result = await runRenderCommand({ environment: positionals[0], showSecrets: values["show-secrets"], configHashKey: readCommandLineHashKey(process.env), cwd: process.cwd() });
  process.stdout.write(result.output);
  process.stderr.write(result.errors);
  return result.exitCode;
}

async function canary(argv: string[]): Promise<number> {
  const { parseCanaryArgs } = await import("./cli/canary-args.js");
  const args = parseCanaryArgs(argv);
  if ("help" in args) {
    process.stdout.write(canaryUsage);
    return 0;
  }
  const { runCanaryCommand, operatorName } = await import("./cli/canary-command.js");
  const result = await runCanaryCommand({ ...args, by: operatorName() });
  process.stdout.write(result.output);
  process.stderr.write(result.errors);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`slipway: ${known ? (error as Error).message : String(error instanceof Error ? error.stack : error)}\n`);
    if (known) process.stderr.write("Run `slipway --help` for usage.\n");
    process.exitCode = 2;
  },
);
