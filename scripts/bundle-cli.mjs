// The `slipway` command as the package's `bin` runs it: src/cli.ts and the parse worker bundled
// by esbuild into lib/bin/ (or --outdir), ES modules split where the command line imports lazily
// (so `--help` loads none of the plan). One file per part instead of ~150 modules and their
// packages' files cuts about a tenth of a second from every command's start-up (resolving and
// loading modules, measured in bench/results/startup.md). @kubernetes/client-node stays outside:
// only its credential plugins are imported, and only for a kubeconfig user that names one.
// Plain JavaScript, so `npm run build` needs nothing but Node and esbuild.
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({ options: { outdir: { type: "string", default: join(root, "lib", "bin") } } });
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

// Chunk names carry content hashes: without this, every build's chunks would pile up (and be packed).
rmSync(values.outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  // The worker's name is the one parse-pool.ts looks for next to the compiled pool.
  entryPoints: { slipway: "src/cli.ts", "parse-worker": "src/planning/parse-worker.ts" },
  outdir: values.outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@kubernetes/client-node"],
  // `slipway --version` (src/cli/version.ts) without reading package.json at run time.
  define: { SLIPWAY_BUILD_VERSION: JSON.stringify(version) },
  // Bundled CommonJS packages may call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as slipwayCreateRequire } from 'node:module'; const require = slipwayCreateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: "warning",
});
chmodSync(join(values.outdir, "slipway.js"), 0o755);
