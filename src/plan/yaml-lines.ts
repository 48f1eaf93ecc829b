// A small YAML emitter for the JSON-shaped data of Kubernetes objects, for diffs only: block
// style, two-space indents, lists under their key as kubectl prints them. The `yaml` package's
// stringify is general and about ten times slower; plans render hundreds of objects.
// Strings that YAML would read as something else (numbers, booleans, null, anything with
// syntax characters) are written as JSON strings, which are valid YAML.

// First character: not a YAML indicator and not a digit (numbers must stay strings).
const plainSafe = /^[A-Za-z_./()$][A-Za-z0-9 _./:@()=,+$%*&!~-]*$/;
const reserved = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

export function yamlLines(value: unknown): string {
  const lines: string[] = [];
  emit(value, "", lines);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function emit(value: unknown, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) lines.push(`${indent}[]`);
    for (const item of value) emitListItem(item, indent, lines);
    return;
  }
  if (isMap(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) lines.push(`${indent}{}`);
    for (const key of keys) emitEntry(key, value[key], indent, lines);
    return;
  }
  lines.push(`${indent}${scalar(value)}`);
}

function emitEntry(key: string, value: unknown, indent: string, lines: string[]): void {
  const head = `${indent}${scalarString(key)}:`;
  if (Array.isArray(value) && value.length > 0) {
    lines.push(head);
    for (const item of value) emitListItem(item, `${indent}  `, lines);
  } else if (isMap(value) && Object.keys(value).length > 0) {
    lines.push(head);
    emit(value, `${indent}  `, lines);
  } else {
    lines.push(`${head} ${inline(value, indent)}`);
  }
}

function emitListItem(item: unknown, indent: string, lines: string[]): void {
  if (isMap(item) && Object.keys(item).length > 0) {
    const nested: string[] = [];
    emit(item, `${indent}  `, nested);
    // The first key goes on the dash line: "- name: app".
    lines.push(`${indent}- ${(nested[0] ?? "").slice(indent.length + 2)}`, ...nested.slice(1));
  } else if (Array.isArray(item) && item.length > 0) {
    lines.push(`${indent}-`);
    emit(item, `${indent}  `, lines);
  } else {
    lines.push(`${indent}- ${inline(item, `${indent}  `)}`);
  }
}

function inline(value: unknown, indent: string): string {
  if (Array.isArray(value)) return "[]";
  if (isMap(value)) return "{}";
  return scalar(value, indent);
}

function scalar(value: unknown, indent = ""): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return scalarString(value, indent);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function scalarString(text: string, indent = ""): string {
  if (text.includes("\n")) return blockString(text, indent);
  if (plainSafe.test(text) && !reserved.test(text) && !text.endsWith(" ") && !text.includes(": ") && !text.includes(" #")) return text;
  return JSON.stringify(text);
}

/** Multi-line strings (scripts, config files) as JSON strings would be one unreadable line: keep their lines. */
function blockString(text: string, indent: string): string {
  const keep = text.endsWith("\n") ? "|" : "|-";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return `${keep}\n${body
    .split("\n")
    .map((line) => (line ? `${indent}  ${line}` : ""))
    .join("\n")}`;
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
