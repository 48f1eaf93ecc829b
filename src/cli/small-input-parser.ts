// The command line's parser: a plan of a few files parses them on the main thread, since starting
// the pool's worker threads (each loading the YAML parser and the validators) costs more than
// the parse; larger inputs still go to the pool, with its timeout and memory limit. The same
// budget applies either way (parseFiles), and a local command blocks no one else's work.
import { parseFiles, type ManifestFile, type ParseFilesOptions, type LoadedSources } from "../manifests/manifest-file.js";
import { sharedParsePool, type ManifestParser } from "../planning/parse-pool.js";

/** At most this many bytes in one call are parsed in-process (~ a few hundred objects of YAML). */
export const inProcessParseBytes = 256 * 1024;

export function smallInputParser(params: { maxBytes?: number } = {}): ManifestParser {
  const maxBytes = params.maxBytes ?? inProcessParseBytes;
  return {
    parse(files: ManifestFile[], options?: ParseFilesOptions): Promise<LoadedSources> {
      const bytes = files.reduce((total, file) => total + (typeof file.content === "string" ? Buffer.byteLength(file.content) : file.content.byteLength), 0);
      if (bytes > maxBytes) return sharedParsePool().parse(files, options);
      try {
        return Promise.resolve(parseFiles(files, options));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
