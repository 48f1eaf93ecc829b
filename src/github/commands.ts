// Comment commands. Only the first line of a newly created comment counts, and only when it
// starts with `/slipway` or `/canary`; anything else in the comment is conversation. What a
// command got wrong is returned as data (CommandProblem) and put into words by
// render/command-replies.ts.
import { canaryVerbs, type CanaryVerb } from "../canary/types.js";
import type { CommandProblem } from "../render/command-replies.js";

export type SlipwayCommand =
  | { kind: "plan" }
  | { kind: "canary"; verb: CanaryVerb; workload?: string; full: boolean }
  /** `text` is the line as written, cut to 100 characters, for the reply to quote. */
  | { kind: "unknown"; text: string; problem: CommandProblem };

/** What the reply quotes of an unknown command. */
const QUOTED_MAX = 100;

/** A Deployment's name (a DNS subdomain, at most 253 characters), as in `canary[].workload`, with or without `Deployment/`. */
const WORKLOAD = /^(?:Deployment\/)?([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)$/;

/** A `/canary` command, or a line that starts like one: steered by the canary's handlers, not the plan's. */
export const isCanaryCommand = (command: SlipwayCommand): boolean => command.kind === "canary" || (command.kind === "unknown" && command.problem.code !== "unknown-slipway-command");

const isCanaryVerb = (word: string): word is CanaryVerb => (canaryVerbs as readonly string[]).includes(word);

export function parseCommand(body: string): SlipwayCommand | undefined {
  const firstLine = body.trimStart().split(/\r?\n|\r/, 1)[0]?.trim() ?? "";
  const match = /^\/(slipway|canary)(?:\s+([^]*))?$/.exec(firstLine);
  if (!match) return undefined;
  const words = (match[2] ?? "").split(/\s+/).filter(Boolean);
  const unknown = (problem: CommandProblem): SlipwayCommand => ({ kind: "unknown", text: firstLine.slice(0, QUOTED_MAX), problem });
  if (match[1] === "slipway") return words.length === 1 && words[0] === "plan" ? { kind: "plan" } : unknown({ code: "unknown-slipway-command" });
  return parseCanary(words, unknown);
}

/** `/canary <verb> [<workload>] [--full]`, the option anywhere after the verb; verbs in any case. */
function parseCanary(words: string[], unknown: (problem: CommandProblem) => SlipwayCommand): SlipwayCommand {
  const [first, ...rest] = words;
  if (first === undefined) return unknown({ code: "missing-verb" });
  const verb = first.toLowerCase();
  if (!isCanaryVerb(verb)) return unknown({ code: "unknown-verb", verb: first.slice(0, 40) });
  const options = rest.filter((word) => word.startsWith("-"));
  const names = rest.filter((word) => !word.startsWith("-"));
  const option = options.find((word) => word.toLowerCase() !== "--full");
  if (option !== undefined) return unknown({ code: "unknown-option", option: option.slice(0, 40) });
  const full = options.length > 0;
  if (full && verb !== "promote") return unknown({ code: "full-without-promote", verb });
  if (names.length > 1 || options.length > 1) return unknown({ code: "extra-arguments", extra: [...names.slice(1), ...options.slice(1)].slice(0, 5).map((word) => word.slice(0, 40)) });
  const name = names[0];
  if (name === undefined) return { kind: "canary", verb, full };
  const workload = WORKLOAD.exec(name)?.[1];
  if (workload === undefined) return unknown({ code: "not-a-workload", workload: name.slice(0, 60) });
  return { kind: "canary", verb, workload, full };
}
