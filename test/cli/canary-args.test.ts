import { describe, expect, it } from "vitest";
import { parseCanaryArgs } from "../../src/cli/canary-args.js";

describe("parseCanaryArgs", () => {
  it.each([
    [["status", "web"], { verb: "status", workload: "web", full: false }],
    [["promote", "Deployment/web-v2.api", "--full"], { verb: "promote", workload: "web-v2.api", full: true }],
    [["pause", "--context", "prod", "--kubeconfig", "/tmp/kc", "-n", "slipway", "--environment", "production", "web"], { verb: "pause", workload: "web", full: false, context: "prod", kubeconfig: "/tmp/kc", namespace: "slipway", environment: "production" }],
    [["abort", "web", "--namespace=apps"], { verb: "abort", workload: "web", full: false, namespace: "apps" }],
    [["resume", "web"], { verb: "resume", workload: "web", full: false }],
  ])("%j", (argv, expected) => {
    expect(parseCanaryArgs(argv)).toEqual(expected);
  });

  it("answers --help without asking for anything else", () => {
    expect(parseCanaryArgs(["--help"])).toEqual({ help: true });
    expect(parseCanaryArgs(["pause", "-h"])).toEqual({ help: true });
  });

  it.each([
    [[], "say what to do"],
    [["rollback", "web"], '"rollback" is not something a canary can do; the verbs are status, promote, abort, pause, resume'],
    [["retry", "web"], "retry is not on the command line"],
    [["revert", "web"], "revert is not on the command line: it opens a pull request on GitHub"],
    [["pause"], "name the workload: slipway canary pause <workload>"],
    [["pause", "web", "api"], 'one workload at a time; "api" is too many'],
    [["pause", "Web"], '"Web" is not a Deployment\'s name'],
    [["pause", "StatefulSet/db"], '"StatefulSet/db" is not a Deployment\'s name'],
    [["abort", "web", "--full"], "--full goes with promote only, not with abort"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCanaryArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringContaining(message) }));
  });

  it("refuses an option it does not know, as parseArgs does", () => {
    expect(() => parseCanaryArgs(["pause", "web", "--force"])).toThrow(expect.objectContaining({ code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }));
  });
});
