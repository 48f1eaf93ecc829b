// What GitHub needs to render our markdown as intended, checked the way CommonMark reads it:
// every code fence closed by a fence at least as long, every <details> closed, and no fence
// straddling a <details> boundary. Approximate (code spans are found line by line), which is
// enough for what the renderer writes.

const FENCE_OPEN = /^ {0,3}(`{3,})([^`]*)$/;
const LINE_ENDINGS = /\r\n|\r|\n/;

/**
 * Removes inline code spans, whose content GitHub shows literally (the backtick string opens
 * before any tag inside, so it wins). A backslash-escaped backtick opens nothing.
 */
export const withoutCodeSpans = (markdown: string): string =>
  markdown.replace(/(?<![`\\])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");

export interface Structure {
  problems: string[];
  fences: number;
  details: number;
  /** The text outside fenced code blocks, where markdown and HTML are interpreted (code spans aside). */
  outsideFences: string;
}

export function inspectMarkdown(markdown: string): Structure {
  const problems: string[] = [];
  const outside: string[] = [];
  let fence: { length: number; depth: number; line: number } | undefined;
  let depth = 0;
  let fences = 0;
  let details = 0;
  markdown.split(LINE_ENDINGS).forEach((line, index) => {
    if (fence) {
      const close = new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`);
      if (!close.test(line)) return;
      if (fence.depth !== depth) problems.push(`fence opened on line ${fence.line} closes at another <details> depth`);
      fence = undefined;
      return;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      fences += 1;
      fence = { length: open[1]?.length ?? 3, depth, line: index + 1 };
      return;
    }
    outside.push(line);
    for (const tag of withoutCodeSpans(line).matchAll(/<(\/?)details\b[^>]*>/g)) {
      depth += tag[1] ? -1 : 1;
      if (!tag[1]) details += 1;
      if (depth < 0) problems.push(`</details> without <details> on line ${index + 1}`);
    }
  });
  if (fence) problems.push(`fence opened on line ${fence.line} is never closed`);
  if (depth !== 0) problems.push(`${depth} <details> never closed`);
  return { problems, fences, details, outsideFences: outside.join("\n") };
}
