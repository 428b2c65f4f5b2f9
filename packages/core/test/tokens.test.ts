import { describe, expect, it } from "vitest";
import { createMemoryTokenStore } from "../src/index.js";

describe("memory token store", () => {
  it("stores copies, so a caller mutating its object does not change the stored token", async () => {
    const store = createMemoryTokenStore();
    const token = { accessToken: "a1", expiresAt: 10, refreshToken: "r1" };
    await store.set("realm-1", token);
    token.accessToken = "mutated";
    expect(await store.get("realm-1")).toEqual({ accessToken: "a1", expiresAt: 10, refreshToken: "r1" });
    await store.delete("realm-1");
    expect(await store.get("realm-1")).toBeUndefined();
  });

  it("withLock runs holders of one key one at a time, in order, and a failure does not block the next", async () => {
    const store = createMemoryTokenStore();
    const log: string[] = [];
    const step = (name: string, fail = false) =>
      store.withLock("k", async () => {
        log.push(`${name}:start`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${name}:end`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([step("a"), step("b", true), step("c"), store.withLock("other", async () => "x")]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["a", "b failed", "c", "x"]);
    expect(log).toEqual(["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]);
  });

  it("withLock refuses to start when the signal is already aborted", async () => {
    const store = createMemoryTokenStore();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    let ran = false;
    await expect(store.withLock("k", async () => (ran = true), { signal: controller.signal })).rejects.toThrow("stop");
    expect(ran).toBe(false);
  });
});
