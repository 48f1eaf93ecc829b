// Where the command line keeps discovery: kubectl's names for servers, under the XDG cache directory.
import { describe, expect, it } from "vitest";
import { defaultDiscoveryCacheDir, serverCacheKey } from "../../src/kube/discovery-cache.js";

describe("the discovery cache's place", () => {
  it.each([
    // kubectl's computeDiscoverCacheDir: the scheme dropped, `:` and other characters made `_`.
    ["https://127.0.0.1:6443", "127.0.0.1_6443"],
    ["https://api.example.com", "api.example.com"],
    ["https://example.com:8443/k8s/clusters/c-1/", "example.com_8443/k8s/clusters/c_1"],
    ["http://[::1]:8080", "___1__8080"],
  ])("names %s's directory %s", (server, key) => {
    expect(serverCacheKey(new URL(server))).toBe(key);
  });

  it("lives under $XDG_CACHE_HOME, or ~/.cache without it", () => {
    expect(defaultDiscoveryCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/slipway/discovery");
    expect(defaultDiscoveryCacheDir({})).toMatch(/\/\.cache\/slipway\/discovery$/);
  });
});
