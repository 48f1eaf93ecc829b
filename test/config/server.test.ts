import { describe, expect, it } from "vitest";
import { readServerSettings } from "../../src/config/server.js";

describe("readServerSettings", () => {
  it("defaults the field manager to slipway and takes SLIPWAY_FIELD_MANAGER", () => {
    expect(readServerSettings({}).fieldManager).toBe("slipway");
    expect(readServerSettings({ SLIPWAY_FIELD_MANAGER: " platform-bot " }).fieldManager).toBe("platform-bot");
  });

  it("refuses a field manager the API server would refuse", () => {
    expect(() => readServerSettings({ SLIPWAY_FIELD_MANAGER: "x".repeat(129) })).toThrow(/at most 128/);
  });

  it.each([{ WEBHOOK_SECRET: undefined }, { WEBHOOK_SECRET: "development" }])(
    "refuses to run in production without a real webhook secret ($WEBHOOK_SECRET)",
    (env) => {
      expect(() => readServerSettings({ NODE_ENV: "production", ...env })).toThrow(/WEBHOOK_SECRET must be set/);
    },
  );

  it("runs in production with a webhook secret", () => {
    expect(readServerSettings({ NODE_ENV: "production", WEBHOOK_SECRET: "s3cret" }).production).toBe(true);
  });
});

describe("readServerSettings: the tarball caps", () => {
  it("defaults to 1 GiB unpacked and 256 MiB kept", () => {
    expect(readServerSettings({}).tarball).toEqual({ maxUnpackedBytes: 1024 ** 3, maxKeptBytes: 256 * 1024 ** 2 });
  });

  it("takes SLIPWAY_TARBALL_MAX_BYTES and SLIPWAY_TARBALL_MAX_MANIFEST_BYTES", () => {
    expect(readServerSettings({ SLIPWAY_TARBALL_MAX_BYTES: "2147483648", SLIPWAY_TARBALL_MAX_MANIFEST_BYTES: " 1048576 " }).tarball).toEqual({
      maxUnpackedBytes: 2 * 1024 ** 3,
      maxKeptBytes: 1024 ** 2,
    });
  });

  it.each(["1GiB", "-1", "0", "1e9", "99999999999999999999"])("refuses %j, saying what it must hold", (value) => {
    expect(() => readServerSettings({ SLIPWAY_TARBALL_MAX_BYTES: value })).toThrow(/SLIPWAY_TARBALL_MAX_BYTES must be a whole number of bytes \(default 1073741824\)/);
  });
});
