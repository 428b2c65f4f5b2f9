import { createMemoryOptOutStore, createMemoryStatusStore, FINAL_STATUSES, isFinalStatus, isStatusAdvance, MESSAGE_STATUSES } from "@connect/twilio";
import { describe, expect, it } from "vitest";

describe("status order", () => {
  it("moves forward along the outbound lifecycle only", () => {
    const path = ["accepted", "queued", "sending", "sent", "delivered", "read"] as const;
    for (let i = 1; i < path.length; i += 1) {
      expect(isStatusAdvance(path[i - 1], path[i]!)).toBe(true);
      expect(isStatusAdvance(path[i]!, path[i - 1]!)).toBe(false);
    }
    expect(isStatusAdvance(undefined, "sent")).toBe(true);
    expect(isStatusAdvance("sent", "sent")).toBe(false);
  });

  it("no final status replaces another, except delivered → read", () => {
    const finals = ["delivered", "undelivered", "failed", "canceled"] as const;
    for (const a of finals) for (const b of finals) expect(isStatusAdvance(a, b)).toBe(false);
    expect(isStatusAdvance("delivered", "read")).toBe(true);
    expect(isStatusAdvance("partially_delivered", "delivered")).toBe(true);
    expect(isStatusAdvance("receiving", "received")).toBe(true);
  });

  it("final statuses are the documented six", () => {
    expect([...FINAL_STATUSES].sort()).toEqual(["canceled", "delivered", "failed", "read", "received", "undelivered"]);
    expect(MESSAGE_STATUSES.filter(isFinalStatus)).toHaveLength(6);
  });

  it("the memory store applies only advances and forgets the oldest beyond maxEntries", async () => {
    const store = createMemoryStatusStore({ maxEntries: 2 });
    expect(await store.advance("SM1", "sent")).toBe(true);
    expect(await store.advance("SM1", "queued")).toBe(false);
    expect(await store.advance("SM1", "delivered")).toBe(true);
    expect(await store.get("SM1")).toBe("delivered");
    await store.advance("SM2", "sent");
    await store.advance("SM3", "sent");
    expect(await store.get("SM1")).toBeUndefined();
    expect(await store.get("SM3")).toBe("sent");
  });

  it("the memory opt-out store records STOP and START", async () => {
    const store = createMemoryOptOutStore(["+14155550100"]);
    expect(await store.isOptedOut("+14155550100")).toBe(true);
    await store.optIn("+14155550100");
    await store.optOut("+14155550111");
    expect([...store.recipients]).toEqual(["+14155550111"]);
  });
});
