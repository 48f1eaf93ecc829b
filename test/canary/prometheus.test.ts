// The Prometheus client against a fake fetch: how each kind of answer becomes a number, null or a
// PrometheusError, and that credentials in the address go in a header and never in a message.
// The real Prometheus answers the same in metrics.int.test.ts.
import { describe, expect, it } from "vitest";
import { createPrometheusClient, PrometheusError } from "../../src/canary/metrics.js";

interface Sent {
  url: string;
  init: RequestInit;
}

function fakeFetch(answer: Response | (() => Response | Promise<Response>), sent: Sent[] = []): typeof fetch {
  return async (input, init) => {
    sent.push({ url: input instanceof Request ? input.url : input.toString(), init: init ?? {} });
    return typeof answer === "function" ? answer() : answer;
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const vector = (...values: string[]) => json({ status: "success", data: { resultType: "vector", result: values.map((value, i) => ({ metric: { pod: `p${i}` }, value: [1, value] })) } });

async function failure(promise: Promise<unknown>): Promise<PrometheusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrometheusError);
  return error as PrometheusError;
}

describe("createPrometheusClient", () => {
  it.each([
    { what: "one sample", answer: () => vector("99.5"), value: 99.5 },
    { what: "an empty vector", answer: () => vector(), value: null },
    { what: "NaN (0/0: no traffic)", answer: () => vector("NaN"), value: null },
    { what: "+Inf", answer: () => vector("+Inf"), value: Infinity },
    { what: "a scalar", answer: () => json({ status: "success", data: { resultType: "scalar", result: [1, "3"] } }), value: 3 },
  ])("reads $what", async ({ answer, value }) => {
    expect(await createPrometheusClient("http://p:9090", { fetch: fakeFetch(answer()) }).query("q")).toBe(value);
  });

  it("POSTs the query and its timeout to /api/v1/query under the address's path", async () => {
    const sent: Sent[] = [];
    await createPrometheusClient("https://gw.example/prometheus/", { fetch: fakeFetch(vector("1"), sent), timeoutMs: 2_500 }).query('up{job="x"}');
    expect(sent[0]?.url).toBe("https://gw.example/prometheus/api/v1/query");
    expect(sent[0]?.init.method).toBe("POST");
    expect((sent[0]?.init.body as URLSearchParams).toString()).toBe("query=up%7Bjob%3D%22x%22%7D&timeout=2.5");
  });

  it("sends credentials from the address as Basic authorization, never in the URL or a message", async () => {
    const sent: Sent[] = [];
    const client = createPrometheusClient("https://slipway:s%40cret@prom.example:9090", { fetch: fakeFetch(() => Promise.resolve(json({ status: "error", errorType: "bad_data", error: "parse error" }, 400)), sent) });
    const error = await failure(client.query("q"));
    expect(sent[0]?.url).toBe("https://prom.example:9090/api/v1/query");
    expect(new Headers(sent[0]?.init.headers).get("authorization")).toBe(`Basic ${Buffer.from("slipway:s@cret").toString("base64")}`);
    expect(error.message).toBe("Prometheus at https://prom.example:9090 answered 400 (bad_data): parse error");
    expect(error.kind).toBe("http");
    expect(() => createPrometheusClient("not a url with s3cret")).toThrow(/not a URL \(it is not shown here/);
    expect(() => createPrometheusClient("not a url with s3cret")).not.toThrow(/s3cret/);
  });

  it.each([
    {
      what: "many series",
      answer: () => vector("1", "2", "3", "4"),
      kind: "result",
      message: 'the query returned 4 series ({pod="p0"}, {pod="p1"}, {pod="p2"}, …), not one number: aggregate them, with sum() for example',
    },
    { what: "a range vector", answer: () => json({ status: "success", data: { resultType: "matrix", result: [] } }), kind: "result", message: /returned a range vector, not one number/ },
    { what: "a proxy's HTML error page", answer: () => new Response("<html>\n<h1>Bad Gateway</h1></html>", { status: 502, statusText: "Bad Gateway" }), kind: "http", message: "Prometheus at http://p:9090 answered 502 Bad Gateway: <html> <h1>Bad Gateway</h1></html>" },
    { what: "a 200 that is not the API", answer: () => new Response("hello"), kind: "query", message: "Prometheus at http://p:9090 answered what is not a Prometheus API response: hello" },
    { what: "an execution error", answer: () => json({ status: "error", errorType: "execution", error: "query processing would load too many samples" }, 422), kind: "http", message: /422 \(execution\): query processing would load too many samples/ },
    { what: "a refused connection", answer: () => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) })), kind: "unreachable", message: "Prometheus at http://p:9090 could not be reached: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:9)" },
  ])("refuses $what with a clear message", async ({ answer, kind, message }) => {
    const error = await failure(createPrometheusClient("http://p:9090", { fetch: fakeFetch(answer) }).query("q"));
    expect(error.kind).toBe(kind);
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it("gives up after timeoutMs, and rethrows the caller's abort as it is", async () => {
    const hanging = ((_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason as Error)))) as typeof fetch;
    const client = createPrometheusClient("http://p:9090", { fetch: hanging, timeoutMs: 50 });
    const error = await failure(client.query("q"));
    expect(error).toMatchObject({ kind: "timeout", message: "Prometheus at http://p:9090 did not answer within 0.05s" });

    const controller = new AbortController();
    const pending = createPrometheusClient("http://p:9090", { fetch: hanging }).query("q", controller.signal);
    controller.abort(new Error("shutting down"));
    await expect(pending).rejects.toThrow("shutting down");
  });
});
