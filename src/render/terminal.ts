// Text from manifests, the cluster or a canary's state, for a terminal: control characters are
// replaced, so a hostile value cannot move the cursor, recolour or retitle the terminal.

// C0 controls other than tab and line feed (carriage return included: it can overwrite a line), DEL and C1.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text as it is, line feeds and tabs included, controls replaced with U+FFFD. */
export const terminalText = (text: string): string => text.replace(CONTROL_CHARACTERS, "\ufffd");

/** One line: line breaks become spaces, then controls are replaced. */
export const terminalLine = (text: string): string => terminalText(text.replace(/\s*[\r\n]+\s*/g, " "));
