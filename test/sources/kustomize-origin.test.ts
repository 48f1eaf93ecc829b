import { describe, expect, it } from "vitest";
import { takeOrigin } from "../../src/sources/kustomize-origin.js";

const origin = (value: string) => `    config.kubernetes.io/origin: |\n${value.replace(/^/gm, "      ")}\n`;

describe("takeOrigin", () => {
  it("removes the annotation with its annotations key when it is the only one, and resolves the path from the built directory", () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n${origin("path: ../base/service.yaml")}  name: shop\nspec: {}\n`;
    expect(takeOrigin(text, ".wrapper")).toEqual({
      ok: true,
      text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nspec: {}\n",
      origin: { file: "base/service.yaml", via: "resource" },
    });
  });

  it("keeps the object's other annotations byte for byte, and reads a generator's origin", () => {
    const text = `kind: ConfigMap\nmetadata:\n  annotations:\n    a.example/x: "on"\n${origin("configuredIn: ../base/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator")}    z.example/y: '0755'\n  name: c\n`;
    expect(takeOrigin(text, ".wrapper")).toEqual({
      ok: true,
      text: `kind: ConfigMap\nmetadata:\n  annotations:\n    a.example/x: "on"\n    z.example/y: '0755'\n  name: c\n`,
      origin: { file: "base/kustomization.yaml", via: "generator" },
    });
  });

  it.each([
    ["no annotation", "kind: A\nmetadata:\n  name: a\n"],
    ["a remote origin", `kind: A\nmetadata:\n  annotations:\n${origin("path: examples/x.yaml\nrepo: https://github.com/acme/x")}  name: a\n`],
    ["a path out of the repository", `kind: A\nmetadata:\n  annotations:\n${origin("path: ../../x.yaml")}  name: a\n`],
  ])("cannot place an object with %s", (_what, text) => {
    expect(takeOrigin(text, ".wrapper")).toMatchObject({ ok: false });
  });
});
