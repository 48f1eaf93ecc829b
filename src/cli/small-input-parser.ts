// The command line's parser. A command line's process serves no one else, so it parses on its main
// thread whatever it would otherwise wait for a worker thread to parse: starting the pool's worker
// (loading the YAML parser and the validators) and copying the files and objects across costs
// more than it saves (a 500-object plan, 300 KB: 1.56 s through the pool, 1.44 s in-process).
// The same budget applies either way (parseFiles); inputs past a few MiB still go to the pool,
// whose heap cap and timeout bound a hostile file the budget does not.
import { parseFiles, type ManifestFile, type ParseFilesOptions, type LoadedSources } from "../manifests/manifest-file.js";
import { sharedParsePool, type ManifestParser } from "../planning/parse-pool.js";

/** At most this many bytes in one call are parsed in-process (~6,000 objects of YAML). */
export const inProcessParseBytes = 4 * 1024 * 1024;

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
