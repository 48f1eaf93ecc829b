import { describe, expect, it } from "vitest";
import { isCanaryCommand, parseCommand } from "../../src/github/commands.js";

describe("parseCommand: /slipway", () => {
  it.each([
    ["/slipway plan", { kind: "plan" }],
    ["  /slipway   plan  \nthanks!", { kind: "plan" }],
    ["/slipway apply", { kind: "unknown", text: "/slipway apply", problem: { code: "unknown-slipway-command" } }],
    ["/slipway", { kind: "unknown", text: "/slipway", problem: { code: "unknown-slipway-command" } }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe("parseCommand: /canary", () => {
  it.each([
    ["/canary promote", { kind: "canary", verb: "promote", full: false }],
    ["/canary promote --full", { kind: "canary", verb: "promote", full: true }],
    ["/canary promote web --full", { kind: "canary", verb: "promote", workload: "web", full: true }],
    ["/canary promote --full web", { kind: "canary", verb: "promote", workload: "web", full: true }],
    ["/canary promote Deployment/web-v2.api", { kind: "canary", verb: "promote", workload: "web-v2.api", full: false }],
    ["/canary abort", { kind: "canary", verb: "abort", full: false }],
    ["/canary pause web", { kind: "canary", verb: "pause", workload: "web", full: false }],
    ["/canary resume", { kind: "canary", verb: "resume", full: false }],
    ["/canary retry", { kind: "canary", verb: "retry", full: false }],
    ["/canary status", { kind: "canary", verb: "status", full: false }],
    ["/canary revert", { kind: "canary", verb: "revert", full: false }],
    ["/canary revert web", { kind: "canary", verb: "revert", workload: "web", full: false }],
    ["/canary Promote", { kind: "canary", verb: "promote", full: false }],
    ["/canary\tabort\r\nplease stop it", { kind: "canary", verb: "abort", full: false }],
    ["/canary abort\rsecond line", { kind: "canary", verb: "abort", full: false }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each([
    ["/canary", { code: "missing-verb" }],
    ["/canary rollback", { code: "unknown-verb", verb: "rollback" }],
    ["/canary promote; rm -rf /", { code: "unknown-verb", verb: "promote;" }],
    ["/canary promote web; rm -rf /", { code: "unknown-option", option: "-rf" }],
    ["/canary promote web ; rm", { code: "extra-arguments", extra: [";", "rm"] }],
    ["/canary promote web api", { code: "extra-arguments", extra: ["api"] }],
    ["/canary promote --full --full", { code: "extra-arguments", extra: ["--full"] }],
    ["/canary promote --force", { code: "unknown-option", option: "--force" }],
    ["/canary abort --full", { code: "full-without-promote", verb: "abort" }],
    ["/canary revert --full", { code: "full-without-promote", verb: "revert" }],
    ["/canary promote **web**", { code: "not-a-workload", workload: "**web**" }],
    ["/canary promote [web](https://evil.example)", { code: "not-a-workload", workload: "[web](https://evil.example)" }],
    ["/canary promote Web", { code: "not-a-workload", workload: "Web" }],
    ["/canary promote StatefulSet/db", { code: "not-a-workload", workload: "StatefulSet/db" }],
    ["/canary promоte", { code: "unknown-verb", verb: "promоte" }], // a Cyrillic о
    ["/canary promote wéb", { code: "not-a-workload", workload: "wéb" }],
  ])("%j is unknown: %j", (body, problem) => {
    const command = parseCommand(body);
    expect(command).toEqual({ kind: "unknown", text: body.slice(0, 100), problem });
    expect(command && isCanaryCommand(command)).toBe(true);
  });

  it.each([
    "/canarypromote",
    "/canary\u200bpromote",
    "`/canary promote`",
    "> /canary promote",
    "please /canary promote",
    "thanks\n/canary promote",
    "",
    "/CANARY promote",
  ])("%j is not a command", (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it("cuts what it quotes from a very long line, and parses it in linear time", () => {
    const long = `/canary promote ${"a".repeat(300_000)}`;
    const started = performance.now();
    const command = parseCommand(long);
    expect(performance.now() - started).toBeLessThan(500);
    expect(command).toMatchObject({ kind: "unknown", problem: { code: "not-a-workload" } });
    if (command?.kind !== "unknown") throw new Error("unreachable");
    expect(command.text).toHaveLength(100);
    expect(command.problem.code === "not-a-workload" && command.problem.workload).toHaveLength(60);
    const spaces = parseCommand(`/canary ${" ".repeat(100_000)}x`);
    expect(spaces).toMatchObject({ kind: "unknown", problem: { code: "unknown-verb", verb: "x" } });
  });

  it("accepts a workload name of 253 characters and refuses 254", () => {
    expect(parseCommand(`/canary status ${"a".repeat(253)}`)).toMatchObject({ kind: "canary", workload: "a".repeat(253) });
    expect(parseCommand(`/canary status ${"a".repeat(254)}`)).toMatchObject({ kind: "unknown", problem: { code: "not-a-workload" } });
  });

  it("keeps /slipway commands apart from /canary ones", () => {
    expect(isCanaryCommand({ kind: "plan" })).toBe(false);
    expect(isCanaryCommand(parseCommand("/slipway nope") ?? { kind: "plan" })).toBe(false);
    expect(isCanaryCommand(parseCommand("/canary status") ?? { kind: "plan" })).toBe(true);
  });
});
