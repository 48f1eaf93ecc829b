// `npm run bench:yaml`: how long the diff's YAML emitter (`yamlLines`, src/plan/yaml-lines.ts)
// takes to write objects, next to the `yaml` package's `stringify`, which the diff used before.
// No cluster needed.
//   1. generate N objects with the other benchmarks' generator, as the API server returns them,
//      and prepare them as the diff does (normalised, keys sorted);
//   2. check that every emitter's output reads back (`yaml.parse`) as the same data: a fast
//      emitter that writes something else would be no comparison;
//   3. time each emitter over all objects, round after round in rotating order, after warm-ups;
//   4. print the table and write it to bench/results/yaml.md.
// Exits 1 when an output does not read back as its object, 2 when the benchmark itself fails.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { parse, stringify } from "yaml";
import { isPlainObject, type KubeObject } from "../src/manifests/object.js";
import { normalizeForDiff } from "../src/plan/normalize.js";
import { yamlLines } from "../src/plan/yaml-lines.js";
import { generateApps } from "./lib/apps.js";
import { collectGarbage, median } from "./lib/measure.js";
import { describeMachine, markdownTable } from "./lib/tables.js";

const objectCount = 500;
const warmUpRounds = 5;
const rounds = 21;
const resultsFile = fileURLToPath(new URL("results/yaml.md", import.meta.url));
const log = (line: string) => process.stderr.write(`[bench:yaml] ${line}\n`);

interface Emitter {
  label: string;
  write: (value: unknown) => string;
  /** The YAML versions its output must read back in as the same data. */
  readAs: Array<"1.1" | "1.2">;
}

const emitters: Emitter[] = [
  // The diff's own: kubectl reads YAML 1.1, the `yaml` package 1.2 by default; it must hold for both.
  { label: "`yamlLines(value)`", write: yamlLines, readAs: ["1.1", "1.2"] },
  // What src/plan/diff.ts called before yamlLines replaced it (commit 188a38d).
  {
    label: "`stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })`, as the diff used it",
    write: (value) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }),
    readAs: ["1.2"],
  },
  { label: "`stringify(value)`", write: (value) => stringify(value), readAs: ["1.2"] },
  { label: '`stringify(value, { version: "1.1" })`', write: (value) => stringify(value, { version: "1.1" }), readAs: ["1.1"] },
];

// What kube-apiserver v1.37.2 returned for the generated objects (server-side apply, no
// controllers): defaults, allocated Service IPs, status, and the metadata below. A list's one
// item applies to every item.
const served: Record<string, Record<string, unknown>> = {
  Deployment: {
    spec: {
      template: {
        spec: {
          containers: [
            {
              ports: [{ protocol: "TCP" }],
              readinessProbe: { httpGet: { scheme: "HTTP" }, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
              imagePullPolicy: "IfNotPresent",
            },
          ],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          dnsPolicy: "ClusterFirst",
          securityContext: {},
          schedulerName: "default-scheduler",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  },
  Service: {
    spec: {
      ports: [{ protocol: "TCP" }],
      clusterIP: "10.96.159.191",
      clusterIPs: ["10.96.159.191"],
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    },
    status: { loadBalancer: {} },
  },
};

/** The objects as the diff renders them: served, normalised, every map's keys sorted. */
function diffedObjects(): unknown[] {
  const objects = generateApps({ count: objectCount, namespace: "bench-yaml" }).flatMap((app) => app.before);
  return objects.map((object, index) => {
    // managedFields is left out: the diff strips it with the rest of the server's metadata.
    const metadata = { uid: randomUUID(), resourceVersion: String(1000 + index), creationTimestamp: "2026-11-26T15:22:49Z", ...(object.kind === "Deployment" ? { generation: 1 } : {}) };
    const live = withDefaults(object, { ...served[object.kind], metadata }) as KubeObject;
    return sortKeys(normalizeForDiff(live));
  });
}

function withDefaults(value: unknown, defaults: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(defaults)) return value.map((item) => withDefaults(item, defaults[0]));
  if (!isPlainObject(value) || !isPlainObject(defaults)) return value;
  const merged: Record<string, unknown> = { ...value };
  for (const [key, fallback] of Object.entries(defaults)) merged[key] = key in value ? withDefaults(value[key], fallback) : fallback;
  return merged;
}

// As src/plan/diff.ts sorts them before rendering.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, sortKeys(value[key])]));
}

/** One line per object whose output reads back as other data; empty when none. */
function readBackFailures(emitter: Emitter, objects: unknown[]): string[] {
  return objects.flatMap((object, index) => {
    const text = emitter.write(object);
    const versions = emitter.readAs.filter((version) => !isDeepStrictEqual(parse(text, { version }), object));
    return versions.length === 0 ? [] : [`${emitter.label}: object ${index} reads back as other data under YAML ${versions.join(" and ")}:\n${text}`];
  });
}

interface Measured {
  emitter: Emitter;
  /** Per timed round, over all objects. */
  seconds: number[];
  /** Characters written per pass: yamlLines quotes more than stringify. */
  chars: number;
  failures: string[];
}

/** Each emitter over all objects, round after round, the order rotating so no emitter always runs first on a heap another left behind. */
function measure(objects: unknown[]): Measured[] {
  const measured = emitters.map((emitter) => ({ emitter, seconds: [] as number[], chars: 0, failures: readBackFailures(emitter, objects) }));
  for (let round = -warmUpRounds; round < rounds; round++) {
    for (let step = 0; step < measured.length; step++) {
      const entry = measured[(((round + step) % measured.length) + measured.length) % measured.length] as Measured;
      collectGarbage();
      let chars = 0;
      const started = performance.now();
      for (const object of objects) chars += entry.emitter.write(object).length;
      const seconds = (performance.now() - started) / 1000;
      entry.chars = chars;
      if (round >= 0) entry.seconds.push(seconds);
    }
  }
  return measured;
}

function renderYamlTable(measured: Measured[], objects: unknown[]): string {
  const microseconds = (entry: Measured) => (median(entry.seconds) / objects.length) * 1e6;
  const own = measured[0] ? microseconds(measured[0]) : NaN;
  const rows = measured.map((entry) => [
    entry.emitter.label,
    microseconds(entry).toFixed(1),
    `${(microseconds(entry) / own).toFixed(1)}×`,
    (entry.chars / objects.length).toFixed(0),
    entry.failures.length === 0 ? `yes (YAML ${entry.emitter.readAs.join(" and ")})` : `**NO**: ${entry.failures.length} objects`,
  ]);
  // Whether the YAML version or the options change what stringify writes for these objects, or only its time.
  const [first, ...others] = emitters.slice(1);
  const sameText = first !== undefined && objects.every((object) => others.every((emitter) => emitter.write(object) === first.write(object)));
  const header = ["emitter", "µs per object (median)", "time / yamlLines", "characters per object", "every object reads back as itself"];
  const version = (createRequire(import.meta.url)("yaml/package.json") as { version: string }).version;
  return [
    `Writing ${objectCount} objects as a plan's diff renders them (⅓ each Deployments, Services, ConfigMaps, from the plan benchmark's generator, ` +
      `with the defaults, status and metadata kube-apiserver adds, then normalised and with keys sorted as the diff does): ` +
      `Slipway's \`yamlLines\` vs the \`yaml\` package's \`stringify\` (yaml ${version}), one object per call. ` +
      `Times: median of ${rounds} rounds over all objects after ${warmUpRounds} warm-up rounds, emitters in rotating order, a full GC before each. ` +
      `Every output was parsed back with \`yaml.parse\` and compared with its object.`,
    "",
    ...markdownTable({ header, rows, align: (column) => (column === 0 || column === header.length - 1 ? "left" : "right") }),
    "",
    `The ${emitters.length - 1} \`stringify\` calls write ${sameText ? "the same text" : "different text"} for these objects.`,
    "",
    `${new Date().toISOString().slice(0, 10)}; ${describeMachine()}; Node ${process.version}.`,
    "",
  ].join("\n");
}

async function main(): Promise<number> {
  const objects = diffedObjects();
  const measured = measure(objects);
  const table = renderYamlTable(measured, objects);
  process.stdout.write(`\n${table}`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, table);
  log(`wrote ${resultsFile}`);
  const failures = measured.flatMap((entry) => entry.failures);
  for (const line of failures.slice(0, 5)) log(`!!! ${line}`);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
