// A real Prometheus for the canary tests, on a free loopback port under supervise.sh, scraping
// every second the targets a test gives it through file_sd (rewritten while it runs).
// https://prometheus.io/docs/prometheus/latest/configuration/configuration/#file_sd_config
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ClusterProcess, freePort, waitFor } from "../../cluster/process.js";

export interface ScrapeTarget {
  /** host:port serving /metrics. */
  address: string;
  /** Attached to every series scraped from it, as Kubernetes service discovery would (namespace, pod). */
  labels?: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface ActiveTarget {
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  labels: Record<string, string>;
  lastError: string;
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /**
   * Replaces the scraped targets, and resolves once Prometheus's active targets are exactly
   * these (whatever their health): within 0.1 to 0.6 s here, longer while changes come in a
   * burst (Prometheus's discovery manager throttles them with a backoff up to 5 s).
   */
  setTargets(targets: ScrapeTarget[]): Promise<void>;
  /** An instant query at the current time: the vector's samples (a scalar is one sample without labels). */
  query(promql: string): Promise<Sample[]>;
  /** The targets Prometheus is scraping now, with their health and labels. */
  activeTargets(): Promise<ActiveTarget[]>;
  /** Stops Prometheus and removes its data. */
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  binary: string;
  /** Also the evaluation interval (default 1). */
  scrapeIntervalSeconds?: number;
  targets?: ScrapeTarget[];
  log?: (line: string) => void;
}

/** Like the control plane: a port taken between picking and binding it means another try. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPrometheusOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes("address already in use")) throw error;
      options.log?.(`a port was taken meanwhile; starting Prometheus again (attempt ${attempt + 1})`);
    }
  }
}

async function startPrometheusOnce(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "slipway-prometheus-"));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const targetsFile = join(dir, "targets.json");
  const configFile = join(dir, "prometheus.yml");

  // Prometheus may read the file while it is being written: write a copy, then rename it over.
  const writeTargets = (targets: ScrapeTarget[]) => {
    const groups = targets.map((target) => ({ targets: [target.address], labels: target.labels ?? {} }));
    writeFileSync(`${targetsFile}.tmp`, JSON.stringify(groups));
    renameSync(`${targetsFile}.tmp`, targetsFile);
  };
  writeTargets(options.targets ?? []);
  writeFileSync(
    configFile,
    stringify({
      // scrape_timeout may not exceed the interval (its default, 10s, would).
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      // file_sd applies a change when its file watch (inotify) sees it. Every re-read sends the
      // targets again, even unchanged, and the discovery manager throttles what it forwards
      // with a backoff that grows to 5 s while updates keep coming: a 1s refresh_interval
      // kept that backoff at its top and made every change wait up to 5 s; after quiet it is
      // 0.1 s. So the periodic re-read is only a fallback here.
      scrape_configs: [{ job_name: "canary", file_sd_configs: [{ files: [targetsFile], refresh_interval: "5m" }] }],
    }),
  );

  let prometheus: ClusterProcess | undefined;
  const stop = async () => {
    await prometheus?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = ClusterProcess.start({
      name: "prometheus",
      command: options.binary,
      logDir: dir,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // A hidden flag: the scrape manager applies discovered target changes at most this
        // often (default 5s), which made every setTargets take up to five seconds.
        "--scrape.discovery-reload-interval=500ms",
        "--log.level=warn",
      ],
    });
    prometheus = proc;
    // /-/ready answers 503 until the TSDB is open and the config loaded.
    await waitFor({
      what: "Prometheus /-/ready",
      timeoutMs: 30_000,
      intervalMs: 100,
      alive: () => proc.running,
      detail: () => proc.tail(),
      probe: async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
    });
    options.log?.(`Prometheus up on ${url}`);

    const activeTargets = async () => {
      const data = await api<{ activeTargets: ActiveTarget[] }>(url, "/api/v1/targets", { state: "active" });
      return data.activeTargets.map(({ scrapeUrl, health, labels, lastError }) => ({ scrapeUrl, health, labels, lastError }));
    };
    return {
      url,
      setTargets: async (targets) => {
        writeTargets(targets);
        const expected = JSON.stringify(targets.map((target) => `http://${target.address}/metrics`).sort());
        let last: string[] = [];
        await waitFor({
          what: `Prometheus to scrape ${expected}`,
          timeoutMs: 15_000,
          intervalMs: 100,
          alive: () => proc.running,
          detail: () => `scraping: ${JSON.stringify(last)}\n${proc.tail()}`,
          probe: async () => {
            last = (await activeTargets()).map((target) => target.scrapeUrl).sort();
            return JSON.stringify(last) === expected ? true : undefined;
          },
        });
      },
      query: async (promql) => {
        const data = await api<QueryData>(url, "/api/v1/query", { query: promql });
        switch (data.resultType) {
          case "vector":
            return data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
          case "scalar":
            return [{ metric: {}, value: Number(data.result[1]) }];
          case "matrix":
          case "string":
            throw new Error(`query ${promql} returned a ${data.resultType}, not an instant vector or scalar`);
        }
      },
      activeTargets,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type QueryData =
  | { resultType: "vector"; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
  | { resultType: "scalar"; result: [number, string] }
  | { resultType: "matrix" | "string"; result: unknown };

async function api<T>(url: string, path: string, params: Record<string, string>): Promise<T> {
  const response = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as { status: string; data?: T; error?: string };
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${response.status} ${body.error ?? ""}`);
  }
  return body.data;
}
