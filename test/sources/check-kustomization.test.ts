import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkKustomization } from "../../src/sources/check-kustomization.js";
import { fixtureRepository } from "../support/fixture-repository.js";

/** A repository of the given files, in a fresh temporary directory. */
function repository(files: Record<string, string>): string {
  const root = fixtureRepository("empty");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("checkKustomization", () => {
  it("follows an overlay into its base, component, patch and generator files: the files it depends on", async () => {
    const check = await checkKustomization({ root: fixtureRepository("shop"), path: "overlays/production" });
    expect(check.findings).toEqual([]);
    expect(check.files).toEqual([
      "base/config.properties",
      "base/deployment.yaml",
      "base/kustomization.yaml",
      "base/service.yaml",
      "components/debug/debug-logging.yaml",
      "components/debug/kustomization.yaml",
      "overlays/production/kustomization.yaml",
      "overlays/production/pdb.yaml",
      "overlays/production/replicas.yaml",
    ]);
  });

  it.each([
    ["remote-base", "remote-reference", "remote-base/kustomization.yaml", 5, /https:\/\/github\.com\/kubernetes-sigs\/kustomize\/\/examples\/helloWorld\/\?ref=v5\.0\.0 is a remote location/],
    ["exec-plugin", "kustomize-plugin", "exec-plugin/secrets-from-vault.yaml", 1, /someteam\.example\.com\/v1 VaultSecretInjector names an exec or Go plugin/],
    ["krm-function", "kustomize-plugin", "krm-function/kustomization.yaml", 14, /Fetcher is a KRM function \(annotation config\.kubernetes\.io\/function\)/],
    ["outside-root", "path-outside-repository", "outside-root/kustomization.yaml", 5, /\.\.\/\.\.\/outside-the-repository leaves the repository/],
    ["helm-inflation", "kustomize-helm", "helm-inflation/kustomization.yaml", 3, /helmCharts: Slipway does not inflate Helm charts/],
  ])("refuses %s with a finding on the line that names it", async (path, code, file, line, message) => {
    const check = await checkKustomization({ root: fixtureRepository("refused"), path });
    expect(check.findings).toEqual([expect.objectContaining({ severity: "error", code, position: { file, line }, message: expect.stringMatching(message) })]);
  });

  it.each([
    ["an scp-like git address", "git@github.com:acme/deploy.git//base"],
    ["a host without a scheme", "github.com/acme/deploy/base?ref=main"],
    ["a go-getter address", "git::https://example.com/acme/deploy.git"],
  ])("refuses %s as remote", async (_what, reference) => {
    const root = repository({ "app/kustomization.yaml": `resources:\n  - ${reference}\n` });
    const check = await checkKustomization({ root, path: "app" });
    expect(check.findings).toEqual([expect.objectContaining({ code: "remote-reference", position: { file: "app/kustomization.yaml", line: 2 } })]);
  });

  it("refuses a resource that is not in the repository: kustomize would try to fetch it as a URL", async () => {
    const root = repository({ "app/kustomization.yaml": "resources:\n  - example.com/acme/base\n" });
    const check = await checkKustomization({ root, path: "app" });
    expect(check.findings).toEqual([expect.objectContaining({ code: "source-missing", message: expect.stringContaining("is not in the repository at this commit") })]);
  });

  it("refuses an absolute path, a patch outside its kustomization's directory, and a symlink out of the repository", async () => {
    const root = repository({
      "app/kustomization.yaml": "resources:\n  - /etc/passwd\n  - link.yaml\npatches:\n  - path: ../shared/patch.yaml\n",
      "shared/patch.yaml": "kind: Deployment\n",
    });
    symlinkSync("/etc/hostname", join(root, "app", "link.yaml"));
    const check = await checkKustomization({ root, path: "app" });
    expect(check.findings.map((finding) => [finding.code, finding.position?.line])).toEqual([
      ["path-outside-repository", 2],
      ["path-outside-repository", 3],
      ["path-outside-repository", 5],
    ]);
    expect(check.findings[2]?.message).toContain("root-only load restrictor");
  });

  it("checks the configurations in a generators directory, and the files of a generator", async () => {
    const root = repository({
      "app/kustomization.yaml": "generators:\n  - gen\nconfigMapGenerator:\n  - name: c\n    files:\n      - key=settings.ini\n    envs:\n      - app.env\n",
      "app/settings.ini": "a=b\n",
      "app/app.env": "A=B\n",
      "app/gen/kustomization.yaml": "resources:\n  - fn.yaml\n",
      "app/gen/fn.yaml": "apiVersion: v1\nkind: Thing\nmetadata:\n  name: x\n---\napiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: y\n",
    });
    const check = await checkKustomization({ root, path: "app" });
    expect(check.findings).toEqual([expect.objectContaining({ code: "kustomize-plugin", position: { file: "app/gen/fn.yaml", line: 1 } })]);
    expect(check.files).toEqual(["app/app.env", "app/gen/fn.yaml", "app/gen/kustomization.yaml", "app/kustomization.yaml", "app/settings.ini"]);
  });

  it("says so when the root holds no kustomization, or one that does not parse", async () => {
    const root = repository({ "empty/README.md": "", "broken/kustomization.yaml": "resources: [\n" });
    expect((await checkKustomization({ root, path: "empty" })).findings[0]).toMatchObject({ code: "source-missing" });
    expect((await checkKustomization({ root, path: "broken" })).findings[0]).toMatchObject({ code: "source-not-readable", position: { file: "broken/kustomization.yaml" } });
    expect((await checkKustomization({ root, path: "nowhere" })).findings[0]).toMatchObject({ code: "source-missing" });
  });
});
