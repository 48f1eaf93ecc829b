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
