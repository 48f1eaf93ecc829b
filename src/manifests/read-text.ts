// The checks a manifest file passes before any YAML parsing: it is small enough to parse, and
// it is UTF-8 text (a binary file committed under the manifest paths would otherwise come out
// as a wall of confusing syntax errors).
import type { ManifestFinding } from "./findings.js";

export type ReadTextResult = { text: string } | { finding: ManifestFinding };

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
// A lone UTF-16 surrogate means the string was decoded from something that was not UTF-8.
const loneSurrogate = /\p{Cs}/u;

export function readManifestText(params: {
  path: string;
  content: string | Buffer;
  maxFileBytes: number;
}): ReadTextResult {
  const { path, content, maxFileBytes } = params;
  const position = { file: path, line: 1 };
  const bytes = typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length;
  if (bytes > maxFileBytes) {
    return {
      finding: {
        severity: "error",
        code: "file-too-large",
        message:
          `${path} is ${bytes} bytes, more than the ${maxFileBytes} bytes Slipway reads from one file; ` +
          `split it into smaller files, or exclude it in .github/slipway.yml if it is not a manifest.`,
        position,
      },
    };
  }
  const text = typeof content === "string" ? content : decodeUtf8(content);
  if (text === undefined || text.includes("\0") || loneSurrogate.test(text)) {
    return {
      finding: {
        severity: "error",
        code: "binary-file",
        message:
          `${path} is not UTF-8 text (it contains NUL bytes or invalid UTF-8), so it cannot be a manifest; ` +
          `save it as UTF-8, or exclude its path in .github/slipway.yml.`,
        position,
      },
    };
  }
  return { text };
}

function decodeUtf8(content: Buffer): string | undefined {
  try {
    // Also drops a leading byte-order mark, which editors on Windows like to add.
    return fatalUtf8.decode(content);
  } catch {
    return undefined;
  }
}
