import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkHelmChart } from "../../src/sources/check-helm-chart.js";
import { dependsOn } from "../../src/sources/depends-on.js";
import { fixtureRepository, helmShopProduction as shop } from "../support/fixture-repository.js";


describe("checkHelmChart", () => {
  it("reads a chart with a vendored dependency: its files and values files are what it depends on", async () => {
    const check = await checkHelmChart({ root: fixtureRepository("helm-shop"), source: shop });
    expect(check.findings).toEqual([]);
    expect(check.directories).toEqual(["charts/shop"]);
    expect(check.files).toContain("charts/shop/charts/cache/templates/statefulset.yaml");
    expect(check.files).toContain("environments/production/values-eu.yaml");
    expect(dependsOn(check, "charts/shop/templates/new-template.yaml")).toBe(true);
    expect(dependsOn(check, "environments/production/values.yaml")).toBe(true);
    expect(dependsOn(check, "environments/staging/values.yaml")).toBe(false);
  });

  it("refuses a dependency that is not vendored under charts/, on its line in Chart.yaml", async () => {
    const check = await checkHelmChart({ root: fixtureRepository("refused"), source: { ...shop, chart: "charts/unvendored", values: [] } });
    expect(check.findings).toEqual([
      expect.objectContaining({ code: "helm-dependency-missing", position: { file: "charts/unvendored/Chart.yaml", line: 5 }, message: expect.stringContaining("helm dependency build charts/unvendored") }),
    ]);
  });

  it.each([
    ["a URL", "https://example.com/values.yaml", "remote-reference"],
    ["a path out of the repository", "../../etc/passwd", "path-outside-repository"],
    ["an absolute path", "/etc/passwd", "path-outside-repository"],
    ["a missing file", "environments/nowhere.yaml", "source-missing"],
  ])("refuses values from %s", async (_what, values, code) => {
    const check = await checkHelmChart({ root: fixtureRepository("helm-shop"), source: { ...shop, values: [values] } });
    expect(check.findings).toEqual([expect.objectContaining({ code })]);
  });

  it("refuses a symlink in the chart that leads out of the repository", async () => {
    const root = fixtureRepository("helm-shop");
    symlinkSync("/etc/hostname", join(root, "charts/shop/files-hostname"));
    const check = await checkHelmChart({ root, source: shop });
    expect(check.findings).toEqual([expect.objectContaining({ code: "path-outside-repository", position: { file: "charts/shop/files-hostname", line: 1 } })]);
  });

  it("says so when the chart directory or its Chart.yaml is missing", async () => {
    const root = fixtureRepository("helm-shop");
    expect((await checkHelmChart({ root, source: { ...shop, chart: "charts/none" } })).findings[0]).toMatchObject({ code: "source-missing" });
    expect((await checkHelmChart({ root, source: { ...shop, chart: "environments" } })).findings[0]).toMatchObject({ code: "source-missing", message: expect.stringContaining("no Chart.yaml") });
  });
});
