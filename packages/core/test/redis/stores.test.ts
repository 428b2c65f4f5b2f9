/**
 * The Redis stores one by one against a real redis-server: idempotency (claims, results,
 * waiters, a dead owner's lease), dedupe, the token store's lock, the stream dead-letter
 * sink (survives a reconnect, replays, buffers while Redis is down), and what a call gets
 * when Redis stops mid-test and comes back.
 */
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRuntime, defineOperation, StoreUnavailableError, type DeadLetter } from "../../src/index.js";
import { serveHandlers } from "../../src/testing/index.js";
import {
  connectRedis,
  createRedisDeadLetterSink,
  createRedisDedupeStore,
  createRedisIdempotencyStore,
  createRedisTokenStore,
  redisLimiter,
  type RedisClient,
} from "../../src/redis/index.js";
import { bottleneckSettings } from "../../src/redis/limiter.js";
import { freePort, freshPrefix, REDIS_URL, startRedisServer } from "./helpers.js";

const letter = (id: string, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  id,
  kind: "call",
  adapterId: "twilio",
  operation: "messages.send",
  correlationId: `corr-${id}`,
  payload: { to: "+14155550100", authToken: "tok_live_secret" },
  error: { name: "ServerError", message: "503" },
  attempts: 3,
  firstAttemptAt: "2026-12-01T10:00:00.000Z",
  lastAttemptAt: "2026-12-01T10:00:05.000Z",
  ...overrides,
});

describe("redis limiter settings", () => {
  it("turns a per-second rate into evenly spaced starts with headroom, and a quota into a refilled reservoir", () => {
    expect(bottleneckSettings({ perSecond: 10, burst: 50 }, 0.1)).toEqual({ minTime: 112 });
    expect(bottleneckSettings({ perSecond: 10 }, 0)).toEqual({ minTime: 100 });
    expect(bottleneckSettings({ quota: 3000, quotaIntervalMs: 3_600_000, maxConcurrent: 4 }, 0.1)).toEqual({
      maxConcurrent: 4,
      reservoir: 3000,
      reservoirRefreshAmount: 3000,
      reservoirRefreshInterval: 3_600_000,
    });
    expect(bottleneckSettings({ perSecond: 2, minTimeMs: 900 }, 0.1)).toEqual({ minTime: 900 });
  });
});

describe.runIf(REDIS_URL)("redis limiter shutdown (REDIS_URL)", () => {
  it("stopping limiters while Redis is down, and closing the shared subscriber, leaves no unhandled rejection", async () => {
    const rejections: unknown[] = [];
    const record = (reason: unknown): void => void rejections.push(reason);
    process.on("unhandledRejection", record);
    const port = await freePort();
    const server = await startRedisServer(port);
    const redis = await connectRedis(`redis://127.0.0.1:${port}`);
    try {
      const create = redisLimiter({ redis, prefix: freshPrefix() });
      const [a, b, c] = ["a", "b", "c"].map((id) => create(id, { perSecond: 100 }));
      for (const limiter of [a!, b!, c!]) expect(await limiter.schedule(async () => "ran")).toBe("ran");
      // Up: the last stop closes the shared subscriber while its UNSUBSCRIBE is in flight.
      await c!.stop();
      await server.stop();
      await new Promise<void>((resolve) => (redis.status === "ready" ? setTimeout(resolve, 50) : resolve()));
      // Down: UNSUBSCRIBE fails at once (no offline queue), once for a shared and once for the last user.
      await a!.stop();
      await b!.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rejections).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
      redis.disconnect();
      await server.stop();
    }
  }, 30_000);
});

describe.runIf(REDIS_URL)("redis stores (REDIS_URL)", () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL!);
  });
  afterAll(async () => {
    await redis.quit();
  });

  describe("idempotency store", () => {
    it("claims a key once, hands the stored result to later callers and wakes a waiter when the holder completes", async () => {
      const store = createRedisIdempotencyStore({ redis, prefix: freshPrefix() });
      expect(await store.begin("k1", 5_000)).toEqual({ state: "new" });
      expect(await store.begin("k1", 5_000)).toEqual({ state: "in-flight" });
      const waiting = store.wait("k1", { timeoutMs: 5_000 });
      await store.complete("k1", { sid: "SM1", status: "queued" });
      expect(await waiting).toEqual({ state: "done", result: { sid: "SM1", status: "queued" } });
      expect(await store.begin("k1")).toEqual({ state: "done", result: { sid: "SM1", status: "queued" } });
      await store.close();
    });

    it("fail releases the key so the next caller runs, and a waiter sees it absent", async () => {
      const store = createRedisIdempotencyStore({ redis, prefix: freshPrefix() });
      expect(await store.begin("k2")).toEqual({ state: "new" });
      const waiting = store.wait("k2", { timeoutMs: 5_000 });
      await store.fail("k2");
      expect(await waiting).toEqual({ state: "absent" });
      expect(await store.begin("k2")).toEqual({ state: "new" });
      await store.close();
    });

    it("a claim whose owner died expires with its lease and another worker proceeds", async () => {
      const prefix = freshPrefix();
      const dead = createRedisIdempotencyStore({ redis, prefix });
      const alive = createRedisIdempotencyStore({ redis, prefix });
      expect(await dead.begin("k3", 300)).toEqual({ state: "new" }); // and then the owner crashes
      expect(await alive.begin("k3")).toEqual({ state: "in-flight" });
      expect(await alive.wait("k3", { timeoutMs: 5_000 })).toEqual({ state: "absent" });
      expect(await alive.begin("k3")).toEqual({ state: "new" });
      // The dead owner cannot release the new owner's claim.
      await dead.fail("k3");
      expect(await alive.begin("k3")).toEqual({ state: "in-flight" });
      await Promise.all([dead.close(), alive.close()]);
    });

    it("abandon releases a claim a dead worker left (issue 20: resumed job take-over) but never a result", async () => {
      const prefix = freshPrefix();
      const dead = createRedisIdempotencyStore({ redis, prefix });
      const resumed = createRedisIdempotencyStore({ redis, prefix });
      expect(await dead.begin("k4")).toEqual({ state: "new" }); // a 5-minute claim, then the worker dies
      expect(await resumed.begin("k4")).toEqual({ state: "in-flight" });
      await resumed.abandon!("k4");
      expect(await resumed.begin("k4")).toEqual({ state: "new" });
      await resumed.complete("k4", { id: "inv-1" });
      await dead.abandon!("k4");
      expect(await dead.begin("k4")).toEqual({ state: "done", result: { id: "inv-1" } });
      await Promise.all([dead.close(), resumed.close()]);
    });
  });

  describe("dedupe store", () => {
    it("marks an id once per TTL and forgets on request", async () => {
      const dedupe = createRedisDedupeStore({ redis, prefix: freshPrefix() });
      expect(await dedupe.has("evt_1")).toBe(false);
      expect(await dedupe.seen("evt_1", 60_000)).toBe(false);
      expect(await dedupe.seen("evt_1", 60_000)).toBe(true);
      expect(await dedupe.has("evt_1")).toBe(true);
      await dedupe.forget("evt_1");
      expect(await dedupe.seen("evt_1", 60_000)).toBe(false);
    });
  });

  describe("token store", () => {
    it("serialises lock holders across store instances and releases the lock afterwards", async () => {
      const prefix = freshPrefix();
      const a = createRedisTokenStore({ redis, prefix });
      const b = createRedisTokenStore({ redis, prefix });
      const log: string[] = [];
      const hold = (store: typeof a, name: string) =>
        store.withLock("realm", async () => {
          log.push(`${name}+`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          log.push(`${name}-`);
        });
      await Promise.all([hold(a, "a"), hold(b, "b")]);
      expect(["a+a-b+b-", "b+b-a+a-"]).toContain(log.join(""));
      expect(await redis.exists(`${prefix}token-lock:realm`)).toBe(0);
      await a.set("realm", { accessToken: "at", refreshToken: "rt", expiresAt: 42 });
      expect(await b.get("realm")).toEqual({ accessToken: "at", refreshToken: "rt", expiresAt: 42 });
      await Promise.all([a.close(), b.close()]);
    });
  });

  describe("stream dead-letter sink", () => {
    it("stores redacted letters in order, replaces by id, survives a reconnect and replays", async () => {
      const sink = createRedisDeadLetterSink({ redis, prefix: freshPrefix() });
      await sink.put(letter("a"));
      await sink.put(letter("b"));
      await sink.put(letter("a", { attempts: 4 })); // put again: replaces, moves to the end
      const stored = await sink.list();
      expect(stored.map((l) => [l.id, l.attempts])).toEqual([
        ["b", 3],
        ["a", 4],
      ]);
      expect(stored[0]!.payload).toEqual({ to: "+14155550100", authToken: "[REDACTED]" });

      // Drop the sink's connection (only it: other test files share this server): ioredis
      // reconnects and the letters are still there.
      const admin = await connectRedis(REDIS_URL!);
      const id = await redis.client("ID");
      await admin.call("CLIENT", "KILL", "ID", String(id));
      await admin.quit();
      await new Promise<void>((resolve) => (redis.status === "ready" ? resolve() : redis.once("ready", () => resolve())));
      expect((await sink.list({ adapterId: "twilio" })).map((l) => l.id)).toEqual(["b", "a"]);

      const seen: string[] = [];
      const result = await sink.replay(async (l) => {
        seen.push(l.id);
        if (l.id === "b") throw new Error("still failing");
      });
      expect(seen).toEqual(["b", "a"]);
      expect(result).toEqual({ replayed: 1, failed: 1, failedIds: ["b"] });
      expect((await sink.list()).map((l) => l.id)).toEqual(["b"]);
      expect(await sink.remove("b")).toBe(true);
      expect(await sink.remove("b")).toBe(false);
      sink.close();
    });
  });
});

describe.runIf(REDIS_URL)("Redis stopped mid-test (a private redis-server)", () => {
  it("calls that need Redis fail with StoreUnavailableError and no vendor call, buffered dead letters are written on return, and calls succeed again", async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const redis = await connectRedis(`redis://127.0.0.1:${port}`);
    const vendor = await serveHandlers([http.post("*/charges", () => HttpResponse.json({ id: "ch_1" }))]);
    const charge = defineOperation({
      id: "charges.create",
      input: z.object({ amount: z.number() }),
      output: z.object({ id: z.string() }),
      safety: "unsafe",
      request: (input) => ({ method: "POST", path: "/charges", body: { json: input } }),
    });
    const idempotencyStore = createRedisIdempotencyStore({ redis });
    const runtime = createRuntime({
      adapter: { id: "acme", version: "0.0.0" },
      baseUrl: vendor.url,
      policy: { retry: { attempts: 1 }, limiter: { perSecond: 100, create: redisLimiter({ redis }) } },
      idempotencyStore,
    });
    const sink = createRedisDeadLetterSink({ redis });
    try {
      expect(await runtime.run(charge, { amount: 1 }, { idempotencyKey: "before" })).toEqual({ id: "ch_1" });
      expect(vendor.requests).toHaveLength(1);

      await server.stop();
      const down = await runtime.run(charge, { amount: 2 }, { idempotencyKey: "during" }).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(StoreUnavailableError);
      expect(down).toMatchObject({ name: "StoreUnavailableError", component: "idempotency", retryable: true, mayHaveReachedVendor: false });
      expect(vendor.requests).toHaveLength(1);
      // The limiter refuses too (read-only calls skip the idempotency store).
      const limited = await runtime
        .run(defineOperation({ id: "charges.list", input: z.object({}), output: z.unknown(), idempotent: true, request: () => ({ method: "GET", path: "/charges" }) }), {})
        .catch((e: unknown) => e);
      expect(limited).toMatchObject({ name: "StoreUnavailableError", component: "limiter" });
      expect(vendor.requests).toHaveLength(1);
      // A dead letter is kept in memory, not lost.
      await sink.put(letter("while-down"));
      expect(sink.pending).toBe(1);

      server = await startRedisServer(port);
      await new Promise<void>((resolve) => (redis.status === "ready" ? resolve() : redis.once("ready", () => resolve())));
      expect(await runtime.run(charge, { amount: 3 }, { idempotencyKey: "after" })).toEqual({ id: "ch_1" });
      expect(vendor.requests).toHaveLength(2);
      await sink.flush();
      expect(sink.pending).toBe(0);
      expect((await sink.list()).map((l) => l.id)).toEqual(["while-down"]);
    } finally {
      sink.close();
      await runtime.close();
      await idempotencyStore.close();
      redis.disconnect();
      await vendor.close();
      await server.stop();
    }
  }, 60_000);
});
