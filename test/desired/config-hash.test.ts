import { describe, expect, it } from "vitest";
import { configHash, type ConfigLookup } from "../../src/desired/config-hash.js";
import type { ConfigRefs } from "../../src/desired/config-refs.js";
import type { KubeObject } from "../../src/manifests/object.js";
import { base64, configMap, secret } from "./fixtures.js";

function hashOf(objects: KubeObject[], refs: ConfigRefs = { configMaps: ["cm"], secrets: ["sec"] }): string {
  const lookup: ConfigLookup = (kind, name) => objects.find((object) => object.kind === kind && object.metadata.name === name);
  return configHash({ refs, lookup, key: "test-key" });
}

const cm = configMap("cm", { data: { a: "1", b: "2" }, binaryData: { bin: base64("\u0000\u0001") } });
const sec = secret("sec", { data: { password: base64("hunter2"), user: base64("admin") } });
const baseline = hashOf([cm, sec]);

describe("configHash", () => {
  it("is an HMAC-SHA-256 in hex", () => {
    expect(baseline).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<{ case: string; objects: KubeObject[]; refs?: ConfigRefs }>([
    { case: "keys reordered", objects: [configMap("cm", { binaryData: { bin: base64("\u0000\u0001") }, data: { b: "2", a: "1" } }), sec] },
    { case: "metadata differs (live object read back)", objects: [{ ...cm, metadata: { ...cm.metadata, uid: "123", resourceVersion: "9", labels: { x: "y" } } }, sec] },
    { case: "Secret written with stringData", objects: [cm, secret("sec", { stringData: { user: "admin", password: "hunter2" } })] },
    { case: "Secret mixing data and stringData", objects: [cm, secret("sec", { data: { user: base64("admin") }, stringData: { password: "hunter2" } })] },
    { case: "stringData overriding data, as on the server", objects: [cm, secret("sec", { data: { user: base64("admin"), password: base64("old") }, stringData: { password: "hunter2" } })] },
    { case: "references listed out of order, with duplicates", objects: [cm, sec], refs: { configMaps: ["cm", "cm"], secrets: ["sec"] } },
  ])("does not change: $case", ({ objects, refs }) => {
    expect(hashOf(objects, refs)).toBe(baseline);
  });

  it.each<{ case: string; objects: KubeObject[]; refs?: ConfigRefs }>([
    { case: "a ConfigMap value", objects: [configMap("cm", { data: { a: "1", b: "3" }, binaryData: { bin: base64("\u0000\u0001") } }), sec] },
    { case: "a ConfigMap key", objects: [configMap("cm", { data: { a: "1", c: "2" }, binaryData: { bin: base64("\u0000\u0001") } }), sec] },
    { case: "a key added", objects: [configMap("cm", { data: { a: "1", b: "2", c: "" }, binaryData: { bin: base64("\u0000\u0001") } }), sec] },
    { case: "a key moved from data to binaryData", objects: [configMap("cm", { data: { a: "1" }, binaryData: { b: base64("2"), bin: base64("\u0000\u0001") } }), sec] },
    { case: "a binaryData value", objects: [configMap("cm", { data: { a: "1", b: "2" }, binaryData: { bin: base64("\u0000\u0002") } }), sec] },
    { case: "a Secret value", objects: [cm, secret("sec", { data: { password: base64("hunter3"), user: base64("admin") } })] },
    { case: "a Secret value through stringData", objects: [cm, secret("sec", { data: { password: base64("hunter2"), user: base64("admin") }, stringData: { user: "root" } })] },
    { case: "a referenced object missing", objects: [cm] },
    { case: "another object referenced", objects: [cm, sec, configMap("extra")], refs: { configMaps: ["cm", "extra"], secrets: ["sec"] } },
    { case: "an object no longer referenced", objects: [cm, sec], refs: { configMaps: ["cm"], secrets: [] } },
    { case: "the same name as the other kind", objects: [configMap("sec", { data: { a: "1", b: "2" }, binaryData: { bin: base64("\u0000\u0001") } }), secret("cm", { data: { password: base64("hunter2"), user: base64("admin") } })], refs: { configMaps: ["sec"], secrets: ["cm"] } },
  ])("changes: $case", ({ objects, refs }) => {
    expect(hashOf(objects, refs)).not.toBe(baseline);
  });

  it("tells an absent object from an empty one", () => {
    expect(hashOf([], { configMaps: ["cm"], secrets: [] })).not.toBe(hashOf([configMap("cm")], { configMaps: ["cm"], secrets: [] }));
  });

  it.each([
    ["key=value;", { "a=1;b": "2" }, { a: "1;b=2" }],
    ["JSON", { 'a","1': "x" }, { a: '1","x' }],
  ])("cannot be fooled by %s separators inside keys or values", (_, first, second) => {
    const refs = { configMaps: ["cm"], secrets: [] };
    expect(hashOf([configMap("cm", { data: first })], refs)).not.toBe(hashOf([configMap("cm", { data: second })], refs));
  });

  it("keeps its encoding: a new one would roll every workload out once", () => {
    expect(baseline).toBe("ee7d65d613d7abc0a251edce728fc876d8984c10ea056a3663f98815601d693a");
  });
});

describe("configHash is keyed", () => {
  it("cannot be recomputed from a guess without the server's key", () => {
    const refs: ConfigRefs = { configMaps: [], secrets: ["sec"] };
    const guess = (password: string) => secret("sec", { data: { password: base64(password) } });
    const onServer = configHash({ refs, lookup: () => guess("hunter2"), key: "the-server-key" });
    // An attacker who reads the annotation and guesses right, but hashes without the key, gets another value…
    expect(configHash({ refs, lookup: () => guess("hunter2"), key: "" })).not.toBe(onServer);
    expect(configHash({ refs, lookup: () => guess("hunter2"), key: "a-guessed-key" })).not.toBe(onServer);
    // …while the server, with its key, recognises the same data as the same hash.
    expect(configHash({ refs, lookup: () => guess("hunter2"), key: "the-server-key" })).toBe(onServer);
  });

  it("changes every hash when the key is rotated (one rollout of every workload that reads config)", () => {
    expect(configHash({ refs: { configMaps: ["cm"], secrets: [] }, lookup: () => cm, key: "old" })).not.toBe(
      configHash({ refs: { configMaps: ["cm"], secrets: [] }, lookup: () => cm, key: "new" }),
    );
  });
});
