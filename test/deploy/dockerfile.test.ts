// The Dockerfile cannot be built on these machines (no container engine), so what can be checked
// by reading it is checked here: everything it copies from the repository exists and is not
// ignored, the Node it runs is the one package.json's engines ask for, the Go it builds the
// render tools with is at least what their go.mod files need, and it runs as a non-root user.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..");
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
// Instructions, continuation lines joined, comments dropped.
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const stages = instructions.filter((line) => line.startsWith("FROM "));

const versionParts = (version: string) => version.split(".").map(Number);
const atLeast = (version: string, minimum: string) => {
  const [a, b] = [versionParts(version), versionParts(minimum)];
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if ((a[index] ?? 0) !== (b[index] ?? 0)) return (a[index] ?? 0) > (b[index] ?? 0);
  }
  return true;
};

describe("the Dockerfile", () => {
  it("copies only what the repository holds, and nothing .dockerignore leaves out", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map((line) => line.trim()).filter(Boolean);
    const copied = instructions
      .filter((line) => line.startsWith("COPY ") && !line.includes("--from="))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) {
      expect(existsSync(join(root, path)), `${path} is copied but is not in the repository`).toBe(true);
      expect(ignored.some((pattern) => path.replace(/\/$/, "") === pattern), `${path} is copied but .dockerignore leaves it out`).toBe(false);
    }
    // What a developer's machine has must not reach the build context.
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "lib", ".git"]));
  });

  it("runs the Node major package.json's engines ask for, in every Node stage", () => {
    const engines = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const major = /^>=(\d+)/.exec(engines)?.[1];
    const nodeStages = stages.filter((line) => /^FROM node:/.test(line));
    expect(nodeStages.length).toBe(2);
    for (const stage of nodeStages) expect(stage).toMatch(new RegExp(`^FROM node:${major}-`));
  });

  it("builds the render tools with a Go at least as new as their go.mod files need", () => {
    const golang = stages.map((line) => /^FROM golang:(\d+\.\d+)/.exec(line)?.[1]).find(Boolean);
    expect(golang).toBeDefined();
    const modules = readdirSync(join(root, "tools"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(modules.map((entry) => entry.name).sort()).toEqual(["helm", "kustomize"]);
    for (const module of modules) {
      const needed = /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(readFileSync(join(root, "tools", module.name, "go.mod"), "utf8"))?.[1];
      expect(needed, `tools/${module.name}/go.mod names no go version`).toBeDefined();
      expect(atLeast(`${golang}.99`, needed!), `golang:${golang} is older than the go ${needed} tools/${module.name} needs`).toBe(true);
    }
  });

  it("runs the server as the image's unprivileged user, as deploy/ expects", () => {
    const final = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));
    expect(final).toContain("USER node");
    expect(final.at(-1)).toBe('CMD ["node", "lib/server.js"]');
    const deployment = readFileSync(join(root, "deploy", "base", "deployment.yaml"), "utf8");
    // The node images' user `node` is uid 1000.
    expect(deployment).toMatch(/runAsUser: 1000\b/);
    expect(deployment).toMatch(/runAsNonRoot: true/);
  });
});
