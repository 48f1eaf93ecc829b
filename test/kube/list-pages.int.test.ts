// ObjectStore.list reads a large collection in pages (limit + continue), as the API server
// hands it out: more objects than one page holds, every one of them back, one request per page.
import { expect, it } from "vitest";
import type { KubeRequest } from "../../src/kube/client.js";
import { describeWithCluster, useCluster } from "../support/cluster.js";

describeWithCluster("ObjectStore.list", () => {
  const cluster = useCluster();

  it("follows continue tokens until the last page, with the limit it is given", async () => {
    const { store, client, namespace } = await cluster();
    const ns = await namespace("pages");
    const names = Array.from({ length: 25 }, (_, index) => `cm-${String(index).padStart(2, "0")}`);
    await Promise.all(
      names.map((name) =>
        store.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: { paged: "yes" } }, data: { a: name } }, { fieldManager: "test-setup" }),
      ),
    );
    const pages: Array<KubeRequest["query"]> = [];
    const request = client.request.bind(client);
    client.request = (req) => {
      if (req.method === "GET" && req.path.endsWith(`/namespaces/${ns}/configmaps`)) pages.push(req.query);
      return request(req);
    };
    try {
      const items = await store.list({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, labelSelector: "paged=yes" }, { limit: 10 });

      expect(items.map((item) => item.metadata.name).sort()).toEqual(names);
      expect(items.every((item) => item.kind === "ConfigMap" && item.apiVersion === "v1")).toBe(true);
      // 25 objects at 10 a page: three pages, each after the first asking for the server's token.
      expect(pages).toHaveLength(3);
      expect(pages.map((query) => query?.limit)).toEqual(["10", "10", "10"]);
      expect(pages[0]?.continue).toBeUndefined();
      expect(pages.slice(1).every((query) => typeof query?.continue === "string" && query.continue.length > 0)).toBe(true);
    } finally {
      client.request = request;
    }
  });
});
