// Comment commands. Only the first line of a newly created comment counts, and only when it
// starts with `/slipway`; anything else in the comment is conversation.

export type SlipwayCommand = { kind: "plan" } | { kind: "unknown"; text: string };

export function parseCommand(body: string): SlipwayCommand | undefined {
  const firstLine = body.trimStart().split(/\r?\n/, 1)[0]?.trim() ?? "";
  const match = /^\/slipway(?:\s+(.*))?$/.exec(firstLine);
  if (!match) return undefined;
  const words = (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === "plan") return { kind: "plan" };
  return { kind: "unknown", text: firstLine.slice(0, 100) };
}
