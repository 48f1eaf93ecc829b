// Escaping for text that comes from a pull request or a cluster: object names, messages, file
// paths, field values, diffs. Such text must show as itself — never as markdown or HTML, never
// closing one of our code fences or <details> blocks, and never notifying anyone.

/**
 * Put after "@" so GitHub does not turn "@name" or "@org/team" into a notification (Renovate
 * does the same). A raw character rather than an entity, because entities are not decoded
 * inside code spans.
 */
const ZERO_WIDTH_SPACE = "\u200b";

const MENTION = /@(?=[A-Za-z0-9])/g;

/** Line breaks would let text start a block of its own (a heading, a list, the end of an HTML block). */
const LINE_BREAKS = /\s*[\r\n]+\s*/g;

/** Other C0 controls; CommonMark would turn NUL into U+FFFD anyway. Tabs are harmless. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Markdown punctuation that can start inline markup; `$` starts math on GitHub. */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]~|#$]/g;

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * In raw HTML, markdown punctuation as numeric references: inert if a renderer reads the line as
 * markdown after all, and shown as the character itself when it is read as HTML.
 */
const HTML_SPECIALS = /[&<>"'\\`*_[\]~|#$]/g;
const htmlReference = (char: string): string => HTML_ENTITIES[char] ?? `&#${char.charCodeAt(0)};`;

export const neutraliseMentions = (text: string): string => text.replace(MENTION, `@${ZERO_WIDTH_SPACE}`);

/** One line of text: line breaks become spaces, control characters become U+FFFD. */
export const flattenText = (text: string): string =>
  text.replace(LINE_BREAKS, " ").replace(CONTROL_CHARACTERS, "\ufffd");

/** Text inside raw HTML, such as a `<summary>`, where markdown is not interpreted. */
export function escapeHtml(text: string): string {
  return neutraliseMentions(flattenText(text).replace(HTML_SPECIALS, htmlReference));
}

/** Text in a markdown paragraph, list item or table cell, shown exactly as written. */
export function escapeMarkdown(text: string): string {
  const escaped = flattenText(text)
    .replace(MARKDOWN_PUNCTUATION, (char) => `\\${char}`)
    .replace(/[&<>]/g, (char) => HTML_ENTITIES[char] ?? char);
  return neutraliseMentions(escaped);
}

/** The length of the longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

/**
 * An inline code span whose delimiter is longer than any backtick run inside, so the text cannot
 * end it early. In a table cell `|` must be escaped even inside code, or it splits the cell.
 */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  let content = neutraliseMentions(flattenText(text));
  if (options.inTable) content = content.replaceAll("|", "\\|");
  const ticks = "`".repeat(longestRun(content, "`") + 1);
  // CommonMark strips one space from each side, and a backtick next to the delimiter would merge with it.
  const pad = content === "" || /^[` ]|[` ]$/.test(content) ? " " : "";
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/**
 * A fenced code block for multi-line text such as a diff. The fence is longer than any backtick
 * run in the text, so no line inside can close it. Mentions are left alone: GitHub does not
 * notify from code blocks, and the text must stay copyable.
 */
export function codeFence(content: string, info = ""): string {
  const fence = "`".repeat(Math.max(3, longestRun(content, "`") + 1));
  const body = content === "" || content.endsWith("\n") ? content : `${content}\n`;
  return `${fence}${info}\n${body}${fence}\n`;
}

/** A link target we produced ourselves (a check run's html_url); anything else is not linked. */
export function isSafeUrl(url: string): boolean {
  return /^https:\/\/[^\s<>()[\]"'`\\]+$/.test(url);
}
