import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/manifests/object.js";
import { diffObjects } from "../../src/plan/diff.js";
import { foldStringData, isSecret, maskSecret, scrubSecretValues, SECRET_MASK, secretKeyChanges } from "../../src/plan/secrets.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function secret(fields: { data?: Record<string, string>; stringData?: Record<string, string> }): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "apps" }, type: "Opaque", ...fields };
}

describe("isSecret", () => {
  it.each([
    { apiVersion: "v1", kind: "Secret", expected: true },
    { apiVersion: "example.com/v1", kind: "Secret", expected: false },
    { apiVersion: "v1", kind: "ConfigMap", expected: false },
    { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", expected: false },
  ])("$apiVersion $kind → $expected", ({ apiVersion, kind, expected }) => {
    expect(isSecret({ apiVersion, kind, metadata: { name: "x" } })).toBe(expected);
  });
});

describe("secretKeyChanges", () => {
  it.each([
    {
      case: "create: every key added, sorted",
      live: undefined,
      desired: secret({ data: { zeta: b64("1"), alpha: b64("2") }, stringData: { mid: "3" } }),
      expected: [
        { key: "alpha", state: "added" },
        { key: "mid", state: "added" },
        { key: "zeta", state: "added" },
      ],
    },
    {
      case: "stringData equals the same value in data",
      live: secret({ data: { password: b64("s3cr3t!") } }),
      desired: secret({ stringData: { password: "s3cr3t!" } }),
      expected: [{ key: "password", state: "unchanged" }],
    },
    {
      case: "unpadded and padded base64 of the same bytes",
      live: secret({ data: { k: "eA==" } }),
      desired: secret({ data: { k: "eA" } }),
      expected: [{ key: "k", state: "unchanged" }],
    },
    {
      case: "changed, removed and added",
      live: secret({ data: { keep: b64("a"), drop: b64("b"), edit: b64("c") } }),
      desired: secret({ data: { keep: b64("a"), edit: b64("C"), fresh: b64("d") } }),
      expected: [
        { key: "drop", state: "removed" },
        { key: "edit", state: "changed" },
        { key: "fresh", state: "added" },
        { key: "keep", state: "unchanged" },
      ],
    },
    {
      case: "stringData wins over data for the same key, as on the server",
      live: secret({ data: { k: b64("new") } }),
      desired: secret({ data: { k: b64("old") }, stringData: { k: "new" } }),
      expected: [{ key: "k", state: "unchanged" }],
    },
    {
      case: "a live Secret without data",
      live: secret({}),
      desired: secret({ stringData: { k: "v" } }),
      expected: [{ key: "k", state: "added" }],
    },
  ])("$case", ({ live, desired, expected }) => {
    expect(secretKeyChanges(live, desired)).toEqual(expected);
  });
});

describe("foldStringData", () => {
  it("moves stringData into base64 data, overriding the same key", () => {
    const folded = foldStringData(secret({ data: { a: b64("x"), b: b64("old") }, stringData: { b: "new", c: "ç" } }));
    expect(folded.stringData).toBeUndefined();
    expect(folded.data).toEqual({ a: b64("x"), b: b64("new"), c: b64("ç") });
  });
});

describe("maskSecret", () => {
  it("replaces every value with the same marker, whatever its length", () => {
    const masked = maskSecret(secret({ data: { short: b64("x"), long: b64("y".repeat(4096)) }, stringData: { plain: "hunter22" } }));
    expect(masked.data).toEqual({ short: SECRET_MASK, long: SECRET_MASK });
    expect(masked.stringData).toEqual({ plain: SECRET_MASK });
  });

  it("masks the last-applied annotation on any object and leaves the input untouched", () => {
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"k":"v"}}', other: "kept" } },
    };
    const masked = maskSecret(configMap);
    expect(masked.metadata.annotations).toEqual({ "kubectl.kubernetes.io/last-applied-configuration": SECRET_MASK, other: "kept" });
    expect(configMap.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toContain('"k"');
  });
});

describe("scrubSecretValues", () => {
  const pem = "-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----";
  const secrets = [secret({ data: { password: b64("correct-horse"), pin: b64("123"), key: b64(pem) } }), secret({ stringData: { prefix: "tok_live", token: "tok_live_abcdef" } })];

  it.each([
    { case: "plain value", text: 'Invalid value: "correct-horse"', expected: `Invalid value: "${SECRET_MASK}"` },
    { case: "base64 value", text: `data.password: ${b64("correct-horse")}`, expected: `data.password: ${SECRET_MASK}` },
    { case: "stringData, plain and base64", text: `tok_live_abcdef / ${b64("tok_live_abcdef")}`, expected: `${SECRET_MASK} / ${SECRET_MASK}` },
    { case: "a value containing another is removed whole", text: "x tok_live_abcdef y tok_live z", expected: `x ${SECRET_MASK} y ${SECRET_MASK} z` },
    { case: "multi-line value quoted with escapes", text: `value "${JSON.stringify(pem).slice(1, -1)}" is invalid`, expected: `value "${SECRET_MASK}" is invalid` },
    { case: "values shorter than 4 characters are left", text: "port 123 is fine", expected: "port 123 is fine" },
    { case: "text without values is unchanged", text: "the object has been modified", expected: "the object has been modified" },
  ])("$case", ({ text, expected }) => {
    expect(scrubSecretValues(text, secrets)).toBe(expected);
  });
});

describe("planted Secret values never survive", () => {
  const planted = ["p1anted-Passw0rd", "second-planted-value", "third:planted/value"];
  const live: KubeObject = {
    ...secret({ data: { a: b64(planted[0]!), b: b64(planted[1]!) } }),
    metadata: {
      name: "db",
      namespace: "apps",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { a: planted[0] } }) },
    },
  };
  const desired = secret({ data: { a: b64(planted[2]!) }, stringData: { c: planted[1]! } });
  const forms = planted.flatMap((value) => [value, b64(value)]);

  it.each([
    { step: "maskSecret(live)", output: () => JSON.stringify(maskSecret(live)) },
    { step: "maskSecret(desired)", output: () => JSON.stringify(maskSecret(desired)) },
    { step: "diffObjects", output: () => diffObjects({ name: "Secret/apps/db", live, desired }) },
    { step: "diffObjects on create", output: () => diffObjects({ name: "Secret/apps/db", live: undefined, desired }) },
    { step: "secretKeyChanges", output: () => JSON.stringify(secretKeyChanges(live, desired)) },
    { step: "scrubSecretValues", output: () => scrubSecretValues(`failed: ${forms.join(" and ")} ${JSON.stringify(live)}`, [live, desired]) },
  ])("$step", ({ output }) => {
    const text = output();
    expect(text.length).toBeGreaterThan(0);
    for (const form of forms) expect(text).not.toContain(form);
  });
});
