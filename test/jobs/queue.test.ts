import { describe, expect, it } from "vitest";
import { WorkQueue, type JobSpec } from "../../src/jobs/queue.js";

/** A job whose completion the test controls, recording when it starts. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function job<T>(spec: Partial<JobSpec<T>> & Pick<JobSpec<T>, "key" | "payload" | "run">): JobSpec<T> {
  return { pool: "plan", owner: "installation:1", ...spec };
}

describe("WorkQueue", () => {
  it("drops a delivery it has seen, remembering a bounded number", () => {
    const queue = new WorkQueue({ rememberDeliveries: 2 });
    expect(queue.acceptDelivery("a")).toBe(true);
    expect(queue.acceptDelivery("a")).toBe(false);
    queue.acceptDelivery("b");
    queue.acceptDelivery("c");
    expect(queue.acceptDelivery("a")).toBe(true);
  });

  it("runs only the newest of the plans waiting for one pull request", async () => {
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const ran: string[] = [];
    const blocker = gate();
    const record = (name: string) => job({ key: "pr#1", payload: name, run: (payload) => Promise.resolve(void ran.push(payload)) });
    queue.enqueue(job({ key: "other", payload: "blocker", run: () => blocker.opened.then(() => void ran.push("blocker")) }));
    queue.enqueue(record("old"));
    queue.enqueue(record("new"));
    queue.enqueue(job({ key: "pr#2", payload: "pr2", run: (payload) => Promise.resolve(void ran.push(payload)) }));
    blocker.open();
    await queue.onIdle();
    expect(ran).toEqual(["blocker", "new", "pr2"]);
  });

  it("merges what waits for a key, and never runs two jobs of one key at once", async () => {
    const queue = new WorkQueue({ concurrency: { plan: 4, apply: 4, canary: 1 } });
    const first = gate();
    const seen: string[][] = [];
    let running = 0;
    let most = 0;
    const apply = (shas: string[]) =>
      job<string[]>({
        pool: "apply",
        key: "repo:branch:main",
        payload: shas,
        merge: (waiting, incoming) => [...waiting, ...incoming],
        run: async (payload) => {
          running += 1;
          most = Math.max(most, running);
          seen.push(payload);
          if (payload[0] === "a") await first.opened;
          running -= 1;
        },
      });
    queue.enqueue(apply(["a"]));
    await tick();
    // While "a" runs, an older redelivery and a newer push arrive: both wait, merged, none replaced.
    queue.enqueue(apply(["c"]));
    queue.enqueue(apply(["b"]));
    first.open();
    await queue.onIdle();
    expect(seen).toEqual([["a"], ["c", "b"]]);
    expect(most).toBe(1);
  });

  it("never lets a long apply hold up a plan: the pools have slots of their own", async () => {
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const apply = gate();
    const order: string[] = [];
    queue.enqueue(job({ pool: "apply", key: "apply", payload: 0, run: () => apply.opened.then(() => void order.push("apply")) }));
    for (const n of [1, 2, 3]) queue.enqueue(job({ key: `pr#${n}`, payload: n, run: () => Promise.resolve(void order.push(`plan ${n}`)) }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(["plan 1", "plan 2", "plan 3"]);
    apply.open();
    await queue.onIdle();
    expect(order.at(-1)).toBe("apply");
  });

  it("serves installations in turn, so one installation's burst cannot starve another", async () => {
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 1, canary: 1 } });
    const blocker = gate();
    const order: string[] = [];
    queue.enqueue(job({ key: "blocker", payload: 0, owner: "installation:busy", run: () => blocker.opened }));
    for (let n = 1; n <= 5; n++) queue.enqueue(job({ key: `busy#${n}`, payload: n, owner: "installation:busy", run: () => Promise.resolve(void order.push(`busy ${n}`)) }));
    queue.enqueue(job({ key: "quiet#1", payload: 1, owner: "installation:quiet", run: () => Promise.resolve(void order.push("quiet 1")) }));
    blocker.open();
    await queue.onIdle();
    expect(order[0]).toBe("quiet 1");
    expect(order.slice(1)).toEqual(["busy 1", "busy 2", "busy 3", "busy 4", "busy 5"]);
  });

  it("stops on shutdown: drops what waits, lets running work finish within the deadline, then aborts it", async () => {
    const queue = new WorkQueue({ concurrency: { plan: 1, apply: 2, canary: 1 } });
    const quick = gate();
    let abortedWith: unknown;
    queue.enqueue(job({ pool: "apply", key: "quick", payload: 0, run: () => quick.opened }));
    queue.enqueue(
      job({
        pool: "apply",
        key: "slow",
        payload: 0,
        run: (_payload, signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(void (abortedWith = signal.reason)))),
      }),
    );
    const untilAborted = (_payload: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    queue.enqueue(job({ key: "running-plan", payload: 0, run: untilAborted }));
    queue.enqueue(job({ key: "waiting#2", payload: 0, run: () => Promise.resolve() }));
    await tick();
    setTimeout(() => quick.open(), 10);
    const result = await queue.shutdown({ deadlineMs: 100 });
    expect(result).toEqual({ dropped: 1, aborted: 2 });
    expect(String(abortedWith)).toMatch(/shutting down/);
    expect(queue.enqueue(job({ key: "late", payload: 0, run: () => Promise.resolve() }))).toBe(false);
  });
});
