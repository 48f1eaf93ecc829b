// Parsing in worker threads, as plans do: the same objects, findings and lines as parsing here,
// an event loop that stays free meanwhile, and every way a parse can go wrong (a budget, a
// timeout, a worker out of memory) a finding rather than a crash, with the pool still serving.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parseFiles, type ManifestFile } from "../../src/manifests/manifest-file.js";
import { ParsePool } from "../../src/planning/parse-pool.js";
import { asManifestFiles, bigManifests } from "../support/big-manifests.js";

const pools: ParsePool[] = [];
const pool = (options: ConstructorParameters<typeof ParsePool>[0] = {}) => {
  const made = new ParsePool(options);
  pools.push(made);
  return made;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((made) => made.close()));
});

const small: ManifestFile[] = [
  { path: "deploy/app.yaml", content: Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  key: value\n---\nkind: Nope\n") },
  { path: "deploy/list.yaml", content: "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: s\n    stringData:\n      password: x\n" },
  { path: "deploy/broken.yaml", content: "a: [\n" },
];

/** The longest the event loop waited for a 5 ms timer while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

describe("ParsePool", () => {
  it("gives what parsing on this thread gives: objects, positions, findings, and lineOf", async () => {
    const inWorker = await pool().parse(small);
    const here = parseFiles(small);
    const strip = (loaded: typeof here) => ({ ...loaded, objects: loaded.objects.map(({ object, position, documentIndex, lines }) => ({ object, position, documentIndex, lines })) });
    expect(strip(inWorker)).toEqual(strip(here));
    expect(inWorker.findings.map((finding) => finding.code)).toEqual(["invalid-type-meta", "yaml-syntax"]);
    expect(inWorker.objects[0]?.lineOf(["data", "key"])).toBe(6);
    expect(inWorker.objects[1]?.lineOf(["stringData", "password"])).toBe(9);
    expect(inWorker.objects[1]?.lineOf(["spec", "missing"])).toBe(4);
  });

  it("maps the lines of rendered text to the file it came from, as parsing here does", async () => {
    const rendered: ManifestFile[] = [{ path: "overlays/prod/cm.yaml", content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  key: value\n", sourceLines: [4, 4, 4, 4, 4, 4] }];
    const inWorker = await pool().parse(rendered);
    expect(inWorker.objects[0]?.position).toEqual({ file: "overlays/prod/cm.yaml", line: 4, column: 1 });
    expect(inWorker.objects[0]?.lineOf(["data", "key"])).toBe(4);
  });

  it("keeps the event loop free while it parses 8 files of 1 MiB, which stall it for seconds when parsed here", async () => {
    const files = asManifestFiles(bigManifests(8));
    const workers = pool({ size: 1 });
    let loaded: Awaited<ReturnType<ParsePool["parse"]>> | undefined;
    const started = performance.now();
    const stall = await longestStall(async () => (loaded = await workers.parse(files)));
    const inWorker = performance.now() - started;
    expect(loaded?.objects.length).toBeGreaterThan(1000);
    expect(loaded?.findings).toEqual([]);

    const startedHere = performance.now();
    const hereStall = await longestStall(async () => {
      await Promise.resolve();
      parseFiles(files);
    });
    const here = performance.now() - startedHere;
    console.log(
      `8 × 1 MiB: worker ${Math.round(inWorker)} ms (${(8000 / inWorker).toFixed(1)} MiB/s), longest event-loop stall ${Math.round(stall)} ms; ` +
        `this thread ${Math.round(here)} ms (${(8000 / here).toFixed(1)} MiB/s), stall ${Math.round(hereStall)} ms`,
    );
    expect(stall).toBeLessThan(250);
    expect(hereStall).toBeGreaterThan(1000);
  }, 120_000);

  it("plans nothing past the budget, with the budget's finding", async () => {
    const loaded = await pool().parse(small, { budget: { maxTotalDocuments: 2 } });
    expect(loaded).toEqual({ objects: [], findings: [expect.objectContaining({ code: "input-over-budget" })] });
  });

  it("answers files it has read before from its worker's memory, with the same objects, findings and lines, as copies", async () => {
    const parser = pool({ size: 1 });
    const strip = (loaded: Awaited<ReturnType<ParsePool["parse"]>>) => ({ ...loaded, objects: loaded.objects.map(({ object, position, documentIndex, lines }) => ({ object, position, documentIndex, lines })) });
    const first = await parser.parse(small);
    expect(parser.rememberedFiles).toBe(0);
    // What a caller does with its objects does not reach the worker's memory.
    first.objects[0]!.object.metadata.name = "changed by the caller";
    const again = await parser.parse(small.map((file) => ({ ...file })));
    expect(parser.rememberedFiles).toBe(small.length);
    expect(again.objects[0]?.object.metadata.name).toBe("a");
    expect(strip(again)).toEqual(strip(parseFiles(small)));
    expect(again.objects[1]?.lineOf(["stringData", "password"])).toBe(9);

    // An edited file is read again; the others are remembered.
    const edited = small.map((file) => (file.path === "deploy/app.yaml" ? { ...file, content: String(file.content).replace("key: value", "key: edited") } : file));
    const third = await parser.parse(edited);
    expect(third.objects[0]?.object.data).toEqual({ key: "edited" });
    expect(parser.rememberedFiles).toBe(small.length + 2);
  });

  it("counts remembered files against the budget as read ones", async () => {
    const parser = pool({ size: 1 });
    await parser.parse(small);
    const loaded = await parser.parse(small, { budget: { maxTotalObjects: 1 } });
    expect(parser.rememberedFiles).toBeGreaterThan(0);
    expect(loaded.objects).toEqual([]);
    expect(loaded.findings.map((finding) => finding.code)).toEqual(["input-over-budget"]);
  });

  it("stops a parse past its time with a finding, and serves the next one with a new worker", async () => {
    const workers = pool({ size: 1, timeoutMs: 200 });
    const started = performance.now();
    const loaded = await workers.parse(asManifestFiles(bigManifests(5)));
    // The time counts from when the worker is ready; starting it (tsx compiles it here) comes first.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(loaded.objects).toEqual([]);
    expect(loaded.findings).toEqual([
      expect.objectContaining({ severity: "error", code: "parse-timeout", message: expect.stringMatching(/^Parsing the manifests of this environment took more than 0.2 s, so Slipway stopped it and planned nothing\./) }),
    ]);
    expect((await workers.parse(small)).objects).toHaveLength(2);
  }, 30_000);

  it("reports a worker out of memory as a finding, and serves the next parse", async () => {
    const workers = pool({ size: 1, maxHeapMb: 16 });
    const loaded = await workers.parse(asManifestFiles(bigManifests(8)));
    expect(loaded.objects).toEqual([]);
    expect(loaded.findings).toEqual([expect.objectContaining({ code: "parse-out-of-memory", message: expect.stringContaining("more than the 16 MiB of memory") })]);
    expect((await workers.parse(small)).objects).toHaveLength(2);
  }, 30_000);

  it("runs calls side by side on two workers, and queues the rest in order", async () => {
    const workers = pool({ size: 2 });
    const finished: string[] = [];
    const big = asManifestFiles(bigManifests(3));
    await Promise.all(
      ["first", "second", "third"].map(async (name) => {
        await workers.parse(name === "third" ? small : big);
        finished.push(name);
      }),
    );
    expect(finished).toHaveLength(3);
    // The third waited for a free worker, then was quick.
    expect(finished.indexOf("third")).toBeGreaterThan(0);
  }, 60_000);

  it("does not keep the process alive once it is idle", async () => {
    const script = [
      'const { ParsePool } = await import("./src/planning/parse-pool.ts");',
      'const pool = new ParsePool({ size: 2 });',
      'const file = { path: "a.yaml", content: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n" };',
      // Two calls on two workers: often one worker is still starting when both are done.
      "const loaded = await Promise.all([pool.parse([file]), pool.parse([file]), pool.parse([])]);",
      "console.log(loaded.map((one) => one.objects.length).join(','));",
    ].join("\n");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 20_000 });
    expect(stdout.trim()).toBe("1,1,0");
  }, 30_000);
});
