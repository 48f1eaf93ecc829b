// The shape of src/, kept by a test: imports between its top-level folders run one way (no two
// folders import each other, directly or through others), and the pure core never reaches for
// the cluster, GitHub or the packages that talk to them.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "src");

/** Folders that take data and return data (STYLE: pure core, I/O at the edges). */
const pure = ["manifests", "plan", "desired", "render"];
const ioFolders = ["kube", "github", "jobs", "apply", "planning", "cli", "http", "sources"];
const ioPackages = ["probot", "@kubernetes/client-node", "octokit", "node:https", "node:http", "node:net"];

interface Import {
  from: string;
  specifier: string;
  /** `import type`: no code runs, so a pure folder may name the shape of an adapter's data. */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const statements = [...text.matchAll(/(?:^|\n)\s*((?:import|export)\b[^;]*?)from\s+"([^"]+)"/g)].map((match) => ({
    from: file,
    specifier: match[2] ?? "",
    typeOnly: /^(?:import|export)\s+type\b/.test(match[1] ?? ""),
  }));
  const dynamic = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((match) => ({ from: file, specifier: match[1] ?? "", typeOnly: false }));
  return [...statements, ...dynamic];
}

/** The top-level folder of a file under src/, or undefined for the composition roots (index.ts, server.ts, cli.ts). */
function folderOf(file: string): string | undefined {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

function folderOfImport(imp: Import): string | undefined {
  if (!imp.specifier.startsWith(".")) return undefined;
  return folderOf(join(imp.from, "..", imp.specifier));
}

const imports = sourceFiles(root).flatMap(importsOf);

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const imp of imports) {
    const from = folderOf(imp.from);
    const to = folderOfImport(imp);
    if (!from || !to || from === to) continue;
    graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  return graph;
}

/** Every cycle's folders, found by a depth-first search from each folder. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const start of graph.keys()) visit(start, [start]);
  return found;
}

describe("the architecture of src/", () => {
  it("has imports between top-level folders that run one way", () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(cycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it.each(pure)("keeps %s/ pure: no cluster, GitHub or network code", (folder) => {
    const offending = imports
      .filter((imp) => folderOf(imp.from) === folder && !imp.typeOnly)
      .filter((imp) => ioFolders.includes(folderOfImport(imp) ?? "") || ioPackages.some((pkg) => imp.specifier === pkg || imp.specifier.startsWith(`${pkg}/`)))
      .map((imp) => `${relative(root, imp.from)} imports ${imp.specifier}`);
    expect(offending).toEqual([]);
  });

  it("takes from @kubernetes/client-node only its credential plugins and types, never the entry point that imports the generated API (half a second of start-up)", () => {
    const fromClientNode = imports.filter((imp) => imp.specifier.startsWith("@kubernetes/client-node"));
    expect(fromClientNode.length).toBeGreaterThan(0);
    const heavy = fromClientNode.filter((imp) => !imp.typeOnly && !/^@kubernetes\/client-node\/dist\/\w+_auth\.js$/.test(imp.specifier));
    expect(heavy.map((imp) => `${relative(root, imp.from)} imports ${imp.specifier}`)).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(cycles(graph)[0]).toEqual(["a", "b", "c", "a"]);
  });
});
