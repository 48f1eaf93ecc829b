// How one copy judges another's Lease: by its own clock, from when it saw the record change.
import { describe, expect, it } from "vitest";
import { claim, heldByAnother, microTime, observe, type LeaseRecord } from "../../src/apply/lease-record.js";

const record = (renewTime: string, holderIdentity = "other"): LeaseRecord => ({ holderIdentity, leaseDurationSeconds: 10, renewTime, leaseTransitions: 2 });

describe("a Lease record, as client-go's leader election judges it", () => {
  it("counts another holder's lease from when this process saw the record change, not from its renewTime", () => {
    // Written by a host whose clock is an hour ahead: its renewTime says nothing to us.
    const seen = observe(undefined, record("2099-01-01T00:00:00.000000Z"), 1_000);
    expect(heldByAnother(seen, "me", 10_999, 60_000)).toBe("other");
    expect(heldByAnother(seen, "me", 11_000, 60_000)).toBeUndefined();
  });

  it("restarts the count whenever the record changes (the holder renewed), and only then", () => {
    const first = observe(undefined, record("t1"), 1_000);
    const same = observe(first, record("t1"), 9_000);
    expect(same.atMs).toBe(1_000);
    const renewed = observe(same, record("t2"), 9_000);
    expect(renewed.atMs).toBe(9_000);
    expect(heldByAnother(renewed, "me", 15_000, 60_000)).toBe("other");
  });

  it("never holds a Lease against its own holder or one without a holder", () => {
    expect(heldByAnother(observe(undefined, record("t", "me"), 0), "me", 0, 60_000)).toBeUndefined();
    expect(heldByAnother(observe(undefined, { leaseDurationSeconds: 1 }, 0), "me", 0, 60_000)).toBeUndefined();
  });

  it("counts a takeover as a transition and keeps the acquire time on renewal", () => {
    const taken = claim(record("t"), "me", 60, Date.UTC(2026, 0, 1));
    expect(taken).toMatchObject({ holderIdentity: "me", leaseDurationSeconds: 60, leaseTransitions: 3, acquireTime: "2026-01-01T00:00:00.000000Z" });
    const renewed = claim(taken, "me", 60, Date.UTC(2026, 0, 1, 0, 0, 5));
    expect(renewed).toMatchObject({ leaseTransitions: 3, acquireTime: taken.acquireTime, renewTime: microTime(Date.UTC(2026, 0, 1, 0, 0, 5)) });
  });
});
