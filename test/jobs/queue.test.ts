import { describe, expect, it } from "vitest";
import { WorkQueue } from "../../src/jobs/queue.js";

describe("WorkQueue", () => {
  it("drops a delivery it has seen", () => {
    const queue = new WorkQueue({ concurrency: 1, rememberDeliveries: 2 });
    expect(queue.acceptDelivery("a")).toBe(true);
    expect(queue.acceptDelivery("a")).toBe(false);
    queue.acceptDelivery("b");
    queue.acceptDelivery("c");
    // Only the last two are remembered.
    expect(queue.acceptDelivery("a")).toBe(true);
  });

  it("runs only the newest of the jobs waiting for one key", async () => {
    const queue = new WorkQueue({ concurrency: 1, rememberDeliveries: 10 });
    const ran: string[] = [];
    let release!: () => void;
    const record = (name: string) => () => {
      ran.push(name);
      return Promise.resolve();
    };
    queue.enqueue("other", () => new Promise<void>((resolve) => (release = resolve)).then(record("blocker")));
    queue.enqueue("pr#1", record("old"));
    queue.enqueue("pr#1", record("new"));
    queue.enqueue("pr#2", record("pr2"));
    release();
    await queue.onIdle();
    expect(ran).toEqual(["blocker", "new", "pr2"]);
  });
});
