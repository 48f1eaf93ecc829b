// GitHub's platform limits, in one place, with the way each one is measured: a comment body
// in characters (JavaScript string length, UTF-16 code units, is never less than that), check
// run output in UTF-8 bytes (see CHECK_RUN_SUMMARY_MAX).

/**
 * An issue or pull-request comment body is refused above 65,536 characters ("Body is too
 * long"); Atlantis splits its comments at the same number.
 */
export const COMMENT_BODY_MAX = 65_536;

/** What a rendered comment aims for, leaving headroom under COMMENT_BODY_MAX (as Atlantis does). */
export const COMMENT_BODY_BUDGET = 60_000;

/**
 * Check run `output.summary` and `output.text`: documented as 65,535 characters each, but the
 * API enforces a UTF-8 byte size ("summary exceeds a maximum bytesize of 65535"), so measure
 * them with utf8Length. https://github.com/github/docs/issues/35252
 */
export const CHECK_RUN_SUMMARY_MAX = 65_535;
export const CHECK_RUN_TEXT_MAX = 65_535;

/** Check run `output.title`; GitHub stores it in a 255-character column, so stay under it. */
export const CHECK_RUN_TITLE_MAX = 254;

/** Annotations per create or update request; later updates append to the earlier ones. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** An annotation's `title` (255 characters) and `message` (64 KB) limits. */
export const ANNOTATION_TITLE_MAX = 255;
export const ANNOTATION_MESSAGE_MAX = 64 * 1024;

/** One UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair takes 4). */
export const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** The UTF-8 size of `text` in bytes, as GitHub measures check run output. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index += 1;
    } else bytes += 3; // the rest of the BMP; a lone surrogate is sent as U+FFFD, also 3 bytes
  }
  return bytes;
}

/**
 * Shortens `text` to at most `max` code units, ending with `suffix` when it had to cut. Never
 * cuts between the two halves of a surrogate pair, which would leave an invalid character
 * that GitHub replaces or rejects.
 */
export function truncateText(text: string, max: number, suffix = "…"): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  // No room for the suffix as well: cut the text itself rather than show a bare suffix.
  if (suffix.length >= max) return truncateText(text, max, "");
  let cut = max - suffix.length;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, cut) + suffix;
}

/**
 * Check run buttons (`actions`): at most 3, each with a label of at most 20 characters, a
 * description of at most 40 and an identifier of at most 20. A click arrives as the
 * `check_run.requested_action` webhook with the identifier.
 * https://docs.github.com/en/rest/checks/runs#create-a-check-run
 */
export const CHECK_RUN_ACTIONS_MAX = 3;
export const CHECK_RUN_ACTION_LABEL_MAX = 20;
export const CHECK_RUN_ACTION_DESCRIPTION_MAX = 40;
export const CHECK_RUN_ACTION_IDENTIFIER_MAX = 20;
