import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { yamlLines } from "../../src/plan/yaml-lines.js";

/** What JSON would make of a value (no -0, no undefined): the data an object from the API holds. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

const readBack = (text: string, version: "1.1" | "1.2"): unknown => parse(text, { version, uniqueKeys: false, maxAliasCount: -1 });

describe("yamlLines", () => {
  const samples: Record<string, unknown> = {
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { "app.kubernetes.io/name": "web", "slipway.dev/environment": "prod" }, annotations: { empty: "" } },
      spec: {
        replicas: 3,
        paused: false,
        template: {
          spec: {
            containers: [
              { name: "app", image: "registry.example.com/web:1.5.0", args: ["--port", "8080", "yes", "1.0", "a: b", " lead", "#x"], env: [{ name: "A", value: "true" }] },
            ],
            volumes: [],
            nodeSelector: {},
          },
        },
      },
    },
    tricky: { "key with: colon": "null", "0123": "0123", n: "n", list: [[1, 2], [], {}, null], script: "#!/bin/sh\necho hi\n\nexit 0\n", noTrail: "a\nb" },
    // Each of these was once written so that YAML read something else back.
    numbersAndNulls: { half: ".5", inf: ".inf", nan: ".NaN", octal: "0o17", tilde: "~", dot: ".", value: "=", merge: "<<", colonEnd: "ends:" },
    indentedBlocks: { first: "  indented\nnext", leadingBlank: "\n  indented", manyTrailing: "a\n\n\n", onlyBreaks: "\n\n", spaces: "a\n  \nb" },
    unprintable: { del: "a\u007fb", nel: "a\u0085b", separators: "a\u2028b\u2029c", bom: "\ufeffx", carriageReturn: "a\r\nb" },
  };

  it.each(Object.entries(samples))("writes YAML that reads back as the same data: %s", (_, value) => {
    expect(readBack(yamlLines(value), "1.1")).toEqual(value);
    expect(readBack(yamlLines(value), "1.2")).toEqual(value);
  });

  it("puts list items' first key on the dash line, as kubectl prints", () => {
    expect(yamlLines({ containers: [{ name: "app", image: "x" }] })).toBe("containers:\n  - name: app\n    image: x\n");
  });

  it("prints quantities and durations unquoted, as kubectl does, and numbers-as-strings quoted", () => {
    expect(yamlLines({ memory: "128Mi", cpu: "50m", share: "25%", every: "3s", port: "8080", octal: "0644" })).toBe(
      'memory: 128Mi\ncpu: 50m\nshare: 25%\nevery: 3s\nport: "8080"\noctal: "0644"\n',
    );
  });

  it("gives a block whose first line is indented an indentation indicator", () => {
    expect(yamlLines({ script: "  indented\nnext" })).toBe("script: |2-\n    indented\n  next\n");
  });

  it("writes keys longer than YAML allows for implicit keys in the explicit form", () => {
    const key = "k".repeat(1500);
    expect(readBack(yamlLines({ [key]: 1 }), "1.2")).toEqual({ [key]: 1 });
  });

  it("reads back every JSON value as itself, under YAML 1.1 and 1.2", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = asJson(value);
        const text = yamlLines(expected);
        expect(readBack(text, "1.1")).toEqual(expected);
        expect(readBack(text, "1.2")).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads back strings full of YAML syntax, line breaks and odd characters", () => {
    const syntax = fc.constantFrom(..." \n\t:#-?&*!|>'\"%@`,[]{}.~=<+0123456789eExXoO_\u0085\u2028\u007f\ufeff\r".split(""));
    const words = fc.constantFrom("yes", "No", "ON", "null", "Null", ".inf", "-.Inf", ".nan", "0x1F", "0o17", "0b101", "1_000", "1:20", "1e3", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "---", "...", "<<", "=", "~", "y", "n", "128Mi", "50m", "25%", "1h");
    const tricky = fc.array(fc.oneof(syntax, words, fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.dictionary(tricky, fc.oneof(tricky, fc.array(tricky, { maxLength: 3 }))), (value) => {
        const text = yamlLines(value);
        expect(readBack(text, "1.1")).toEqual(value);
        expect(readBack(text, "1.2")).toEqual(value);
      }),
      { numRuns: 3000 },
    );
  });
});
