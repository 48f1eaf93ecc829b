// What Slipway answers to a comment command it will not run.
export const commandHelp = "Slipway understands `/slipway plan` (re-plan this pull request).";

/** `username` is a GitHub login (letters, digits, hyphens), so it needs no escaping. */
export function renderNotAllowed(username: string): string {
  return `Sorry @${username}, only collaborators with write access can run Slipway commands, so nothing was run.`;
}

export function renderUnknownCommand(text: string): string {
  return `Slipway did not understand \`${text.replace(/`/g, "'")}\`. ${commandHelp}`;
}
