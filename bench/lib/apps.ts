// The benchmark's manifests: one file per app holding its Deployment, Service and ConfigMap,
// as a repository of manifests usually looks, at two revisions: `before` (what is live) and
// `after`, which changes every `changeEvery`-th object: by default every other one, so half of
// them and some in every file.
import { isDeepStrictEqual } from "node:util";
import { defineEnvironment } from "../../src/config/schema.js";
import { identityKey, refOf, type KubeObject } from "../../src/manifests/object.js";
import { developmentConfigHashKey } from "../../src/config/server-security.js";
import { stampDesired } from "../../src/desired/desired-state.js";

export const benchEnvironment = "bench";

export interface AppFile {
  /** The file's path in the repository, e.g. `apps/app-007.yaml`. */
  path: string;
  before: KubeObject[];
  after: KubeObject[];
  /**
   * Per object, whether its manifest itself changed. A Deployment can differ between `before`
   * and `after` without it: its config hash changes with its ConfigMap.
   */
  edited: boolean[];
}

const kinds = ["Deployment", "Service", "ConfigMap"] as const;
type BenchKind = (typeof kinds)[number];

/** `count` objects, a third of each kind; object i changes when i is a multiple of `changeEvery` (default 2). */
export function generateApps(params: { count: number; namespace: string; changeEvery?: number }): AppFile[] {
  const changeEvery = params.changeEvery ?? 2;
  const files = new Map<number, AppFile>();
  for (let index = 0; index < params.count; index++) {
    const app = Math.floor(index / 3);
    const kind = kinds[index % 3] as BenchKind;
    const name = `app-${String(app).padStart(4, "0")}`;
    const file = files.get(app) ?? { path: `apps/${name}.yaml`, before: [], after: [], edited: [] };
    files.set(app, file);
    const build = (changed: boolean) => buildObject({ kind, name, namespace: params.namespace, app, changed });
    const [before, after] = [build(false), build(index % changeEvery === 0)];
    file.before.push(before);
    file.after.push(after);
    // Compared, not assumed: some Services' edits depend on their app's number.
    file.edited.push(!isDeepStrictEqual(before, after));
  }
  const apps = [...files.values()];
  const before = stamp(apps.flatMap((file) => file.before), params.namespace);
  const after = stamp(apps.flatMap((file) => file.after), params.namespace);
  return apps.map((file) => ({ ...file, before: file.before.map(before), after: file.after.map(after) }));
}

// The files carry what Slipway stamps (labels, config hashes) themselves: kubectl sends a file
// as it is, and an apply as manager `slipway` without them would remove them, so every object
// would differ. The whole revision is stamped at once, as Slipway does.
function stamp(objects: KubeObject[], namespace: string): (object: KubeObject) => KubeObject {
  const environment = defineEnvironment({ name: benchEnvironment, paths: ["**/*.yaml"], namespace });
  const { bodies } = stampDesired({ objects, environment, configHashKey: developmentConfigHashKey });
  return (object) => bodies.get(identityKey(refOf(object))) ?? object;
}

function buildObject(params: { kind: BenchKind; name: string; namespace: string; app: number; changed: boolean }): KubeObject {
  switch (params.kind) {
    case "Deployment":
      return deployment(params);
    case "Service":
      // Changed Services alternate between the two edits a review most often sees there.
      return service({ ...params, portName: params.changed && params.app % 4 === 1 ? "web" : "http", tier: params.changed && params.app % 4 === 3 });
    case "ConfigMap":
      return configMap(params);
  }
}

function deployment(params: { name: string; namespace: string; changed: boolean }): KubeObject {
  const { name, namespace } = params;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name, "app.kubernetes.io/part-of": "shop" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: `registry.example.com/shop/${name}:1.4.${params.changed ? 3 : 2}`,
              ports: [{ name: "http", containerPort: 8080 }],
              envFrom: [{ configMapRef: { name: `${name}-config` } }],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}

function service(params: { name: string; namespace: string; portName: string; tier: boolean }): KubeObject {
  const { name, namespace } = params;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { app: name, ...(params.tier ? { tier: "frontend" } : {}) } },
    spec: { selector: { app: name }, ports: [{ name: params.portName, port: 80, targetPort: "http", protocol: "TCP" }] },
  };
}

function configMap(params: { name: string; namespace: string; changed: boolean }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${params.name}-config`, namespace: params.namespace, labels: { app: params.name } },
    data: {
      LOG_LEVEL: params.changed ? "debug" : "info",
      HTTP_PORT: "8080",
      FEATURES: "search,recommendations",
      "app.properties": "cache.ttl=300\nretry.max=3\n",
    },
  };
}
