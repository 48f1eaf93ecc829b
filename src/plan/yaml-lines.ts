// A small YAML emitter for the JSON-shaped data of Kubernetes objects, for diffs only: block
// style, two-space indents, lists under their key as kubectl prints them. The `yaml` package's
// stringify is general and several times slower (`npm run bench:yaml`); plans render hundreds
// of objects. Whatever it writes reads back as the same data under YAML 1.1 (as kubectl reads)
// and 1.2: a property test checks it for arbitrary JSON values.

// A plain scalar must not start with an indicator or a digit, sign or dot (numbers, `.5`,
// `.inf`), and holds only characters that cannot start YAML syntax.
const plainSafe = /^[A-Za-z_/($][A-Za-z0-9 _./:@()=,+$%*&!~-]*$/;
// Words YAML 1.1 or 1.2 reads as booleans or null, YAML 1.1's `=` (value) and `<<` (merge), and
// an exponent without digits before it (`E0`), which the `yaml` package's 1.1 schema reads as a float.
const reserved = /^(?:true|false|yes|no|on|off|y|n|null|~|=|<<|[eE][-+]?[0-9].*)$/i;
// Characters a double-quoted scalar must escape beyond what JSON escapes: DEL and the C1
// controls are not printable in YAML, NEL, LS and PS are line breaks in YAML 1.1, BOM is special.
const yamlUnsafeInJson = /[\u007f-\u009f\u2028\u2029\ufeff]/g;
// A literal block holds printable text only: tabs and line feeds, no other controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const blockUnsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
/** YAML limits implicit keys to 1024 characters; longer ones need the explicit `? key` form. */
const implicitKeyMax = 1000;

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
  lines.push(`${indent}${scalar(value, indent)}`);
}

function emitEntry(key: string, value: unknown, indent: string, lines: string[]): void {
  const quotedKey = keyString(key);
  if (quotedKey.length > implicitKeyMax) {
    lines.push(`${indent}? ${quotedKey}`);
    emitValueAfter(`${indent}:`, value, indent, lines);
    return;
  }
  emitValueAfter(`${indent}${quotedKey}:`, value, indent, lines);
}

/** The value of a mapping entry whose `key:` (or explicit `:`) line is `head`. */
function emitValueAfter(head: string, value: unknown, indent: string, lines: string[]): void {
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
    // A block scalar's indentation counts from the dash, as from a key.
    lines.push(`${indent}- ${inline(item, indent)}`);
  }
}

function inline(value: unknown, indent: string): string {
  if (Array.isArray(value)) return "[]";
  if (isMap(value)) return "{}";
  return scalar(value, indent);
}

function scalar(value: unknown, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return valueString(value, indent);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  return quoted(JSON.stringify(value) ?? "null");
}

function valueString(text: string, indent: string): string {
  if (text.includes("\n") && fitsBlock(text)) return blockString(text, indent);
  return keyString(text);
}

/**
 * Printable text with a line that holds something. A line of spaces alone is left out: readers
 * disagree on whether it is content or an empty line.
 */
function fitsBlock(text: string): boolean {
  return !blockUnsafe.test(text) && /[^\n]/.test(text) && !/^[ \t]+$/m.test(text);
}

/**
 * Quantities, durations and the like (`128Mi`, `50m`, `25%`, `3s`) as kubectl prints them:
 * starting with a digit, but holding a letter no YAML number, date or time can hold.
 */
const digitPlain = /^[0-9][A-Za-z0-9._%/-]*$/;
const notANumber = /[g-np-wyzG-NP-WYZ%]/;

/** A string on one line: plain when YAML reads it back as the same string, else double-quoted. */
function keyString(text: string): string {
  const plain = (plainSafe.test(text) && !reserved.test(text)) || (digitPlain.test(text) && notANumber.test(text));
  if (plain && !text.endsWith(" ") && !text.endsWith(":") && !text.includes(": ") && !text.includes(" #")) return text;
  return quoted(text);
}

/** JSON's double-quoted string is YAML's, once the characters YAML treats differently are escaped. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(yamlUnsafeInJson, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Multi-line strings (scripts, config files) as JSON strings would be one unreadable line: keep
 * their lines in a literal block. The indentation indicator (`|2`) is given when the first line
 * starts with a space, so that its own indentation is not taken for the block's; the chomping
 * indicator keeps exactly the trailing line breaks the string has (`-` none, default one, `+` more).
 */
function blockString(text: string, indent: string): string {
  const trailing = text.length - text.replace(/\n+$/, "").length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? text : text.slice(0, -1);
  const indicator = /^[ \n]*[ ]/.test(body) ? "2" : "";
  const lines = body.split("\n").map((line) => (line ? `${indent}  ${line}` : ""));
  return `|${indicator}${chomp}\n${lines.join("\n")}`;
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
