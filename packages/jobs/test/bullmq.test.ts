/**
 * The BullMQ backend against a real redis-server (runs only when REDIS_URL is set): what a queue on
 * it does, what it leaves in Redis, and the crash semantics — a SIGKILLed worker process's job comes
 * back after its lease with the attempt counted, and BullMQ never fails or retries a job by itself.
 * Every test uses a fresh key prefix and deletes its keys afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createMemoryDeadLetterSink, ServerError, StoreUnavailableError, type DeadLetterSink } from "@connect/core";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createBullMqBackend, type BullMqBackend, type BullMqBackendOptions } from "../src/bullmq/index.js";
import { createJobQueue, defineJob, LeaseLostError, type JobDefinition, type JobDelivery, type JobEvent, type JobRecord } from "../src/index.js";
import { waitFor } from "./conformance.js";

const REDIS_URL = process.env.REDIS_URL;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const fast = { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: false };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function record(id: string, payload: unknown, name = "loan.sync"): JobRecord {
  return {
    header: { id, name, queue: "loans", schemaVersion: 1, correlationId: `corr-${id}`, createdAt: "2026-12-01T10:00:00.000Z", idempotencyKey: `key-${id}` },
    payload,
    metadata: { source: "enqueue", history: [] },
  };
}

describe.runIf(REDIS_URL)("BullMQ backend (REDIS_URL)", () => {
  let admin: Redis;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => {
    admin = new Redis(REDIS_URL!);
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  });
  afterAll(async () => {
    await admin.quit();
  });

  async function dropKeys(prefix: string): Promise<void> {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
  }

  function open(extra: Partial<BullMqBackendOptions> = {}): { backend: BullMqBackend; prefix: string } {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    // Short stalled checks: a job whose lease ran out is back in line within ~200 ms of it.
    const backend = createBullMqBackend({ connection: REDIS_URL!, prefix, stalledIntervalMs: 100, idleBlockMs: 500, ...extra });
    cleanups.push(async () => {
      await backend.close();
      await dropKeys(prefix);
    });
    return { backend, prefix };
  }

  /** A queue named `loans` on `backend`; its dead letters go to a memory sink unless told to use the backend's own. */
  function queueOn(backend: BullMqBackend, jobs: JobDefinition[], deadLetters: DeadLetterSink | "backend's own" = createMemoryDeadLetterSink()) {
    const events: JobEvent[] = [];
    const queue = createJobQueue({ name: "loans", backend, jobs, deadLetters: deadLetters === "backend's own" ? undefined : deadLetters, onEvent: (event) => events.push(event) });
    cleanups.push(() => queue.close());
    return { queue, events };
  }

  /** The stored BullMQ job hash of one of our job ids. */
  const stored = (prefix: string, id: string): Promise<Record<string, string>> => admin.hgetall(`${prefix}:loans:j.${id.replace(/%/g, "%25").replace(/:/g, "%3A")}`);

  it("runs an enqueued job; ids BullMQ would refuse (with ':' or all digits) are stored escaped, with one BullMQ attempt", async () => {
    const seen: Array<[string, unknown, number]> = [];
    const sync = defineJob({ name: "loan.sync", payload: z.object({ loanId: z.string() }), handler: (payload, ctx) => void seen.push([ctx.jobId, payload, ctx.attempt]) });
    const { backend, prefix } = open();
    const { queue, events } = queueOn(backend, [sync]);
    const results = await queue.enqueueMany([
      { job: sync, payload: { loanId: "L-7" }, options: { jobId: "reminder:loan-7" } },
      { job: sync, payload: { loanId: "L-8" }, options: { jobId: "42" } },
    ]);
    expect(results.map((r) => [r.jobId, r.created])).toEqual([
      ["reminder:loan-7", true],
      ["42", true],
    ]);
    const worker = queue.work({ concurrency: 2 });
    await waitFor(() => events.filter((e) => e.type === "completed").length === 2, 5_000, "both jobs");
    await worker.stop();
    expect(seen.sort()).toEqual([
      ["42", { loanId: "L-8" }, 1],
      ["reminder:loan-7", { loanId: "L-7" }, 1],
    ]);
    const hash = await stored(prefix, "reminder:loan-7");
    expect(JSON.parse(hash.data!).header).toMatchObject({ id: "reminder:loan-7", name: "loan.sync", queue: "loans" });
    expect(JSON.parse(hash.opts!)).toMatchObject({ jobId: "j.reminder%3Aloan-7", attempts: 1 });
    expect([hash.ats, hash.atm, typeof hash.finishedOn]).toEqual(["1", "1", "string"]);
    expect(await admin.zcard(`${prefix}:loans:completed`)).toBe(2);
  });

  it("dedupes on job id — concurrent enqueues, ids repeated in one call, and a completed id within keepCompletedMs", async () => {
    let runs = 0;
    const sync = defineJob({ name: "loan.sync", payload: z.object({ n: z.number() }), handler: () => void (runs += 1) });
    const { backend } = open();
    const { queue, events } = queueOn(backend, [sync]);
    const racing = await Promise.all([queue.enqueue(sync, { n: 1 }, { jobId: "same" }), queue.enqueue(sync, { n: 2 }, { jobId: "same" })]);
    expect(racing.map((r) => r.created).sort()).toEqual([false, true]);
    const batch = await queue.enqueueMany([
      { job: sync, payload: { n: 3 }, options: { jobId: "twice" } },
      { job: sync, payload: { n: 4 }, options: { jobId: "twice" } },
      { job: sync, payload: { n: 5 }, options: { jobId: "same" } },
    ]);
    expect(batch.map((r) => r.created)).toEqual([true, false, false]);
    const worker = queue.work();
    await waitFor(() => events.filter((e) => e.type === "completed").length === 2, 5_000, "two runs");
    expect((await queue.enqueue(sync, { n: 6 }, { jobId: "same" })).created).toBe(false);
    await sleep(200);
    await worker.stop();
    expect(runs).toBe(2);
  });

  it("forgets a completed id at once when keepCompletedMs is 0", async () => {
    let runs = 0;
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), handler: () => void (runs += 1) });
    const { backend, prefix } = open({ keepCompletedMs: 0 });
    const { queue, events } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {}, { jobId: "once" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the first run");
    expect(await stored(prefix, "once")).toEqual({});
    expect((await queue.enqueue(sync, {}, { jobId: "once" })).created).toBe(true);
    await waitFor(() => runs === 2, 5_000, "the second run");
    await worker.stop();
  });

  it("holds a delayed job back until its time, counted as delayed", async () => {
    const ran: number[] = [];
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), handler: () => void ran.push(Date.now()) });
    const { backend } = open();
    const { queue } = queueOn(backend, [sync]);
    const worker = queue.work();
    const enqueuedAt = Date.now();
    await queue.enqueue(sync, {}, { delayMs: 700 });
    expect(await backend.stats("loans")).toEqual({ waiting: 0, delayed: 1, active: 0, retrying: 0, oldestWaitingSince: undefined });
    await waitFor(() => ran.length === 1, 5_000, "the delayed job");
    await worker.stop();
    expect(ran[0]! - enqueuedAt).toBeGreaterThanOrEqual(690);
  });

  it("retries with backoff in the worker alone and stores the attempt history in the BullMQ job", async () => {
    const at: number[] = [];
    const sync = defineJob({
      name: "loan.sync",
      payload: z.object({}),
      retry: fast,
      handler: (_p, ctx) => {
        at.push(Date.now());
        if (ctx.attempt < 3) throw new ServerError(`bpo 503 on attempt ${ctx.attempt}`, { status: 503 });
      },
    });
    const { backend, prefix } = open();
    const { queue, events } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {}, { jobId: "flaky" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "success on attempt 3");
    await worker.stop();
    expect(events.map((e) => [e.type, "attempt" in e ? e.attempt : 0])).toEqual([
      ["enqueued", 0],
      ["started", 1],
      ["retrying", 1],
      ["started", 2],
      ["retrying", 2],
      ["started", 3],
      ["completed", 3],
    ]);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(95);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(195);
    const hash = await stored(prefix, "flaky");
    const { metadata } = JSON.parse(hash.data!) as JobRecord;
    expect(metadata.history.map((h) => [h.attempt, h.outcome, h.error.name, h.error.status])).toEqual([
      [1, "failed", "ServerError", 503],
      [2, "failed", "ServerError", 503],
    ]);
    expect(metadata.lastAttempt).toBe(2);
    // Three takes, no BullMQ retry of its own: the job was never in BullMQ's failed set.
    expect([hash.ats, await admin.zcard(`${prefix}:loans:failed`)]).toEqual(["3", 0]);
  });

  it("redelivers a job whose handler blocked past its lease, counting the lost attempt as lease-expired", async () => {
    const seen: Array<{ attempt: number; resumed: boolean; history: unknown[] }> = [];
    const sync = defineJob({
      name: "loan.sync",
      payload: z.object({}),
      leaseMs: 1_000,
      handler: (_p, ctx) => {
        seen.push({ attempt: ctx.attempt, resumed: ctx.resumed, history: ctx.history.map((h) => [h.attempt, h.outcome, h.error.name]) });
        // A stuck process: nothing runs, not even the lease renewal, until the lease has run out.
        if (ctx.attempt === 1) for (const until = Date.now() + 1_300; Date.now() < until; );
      },
    });
    const { backend } = open();
    const { queue, events } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {}, { jobId: "stuck" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the second delivery");
    await worker.stop();
    expect(seen).toEqual([
      { attempt: 1, resumed: false, history: [] },
      { attempt: 2, resumed: true, history: [[1, "lease-expired", "LeaseExpiredError"]] },
    ]);
    expect(events.map((e) => [e.type, "attempt" in e ? e.attempt : 0])).toEqual([
      ["enqueued", 0],
      ["started", 1],
      ["lease-lost", 1],
      ["started", 2],
      ["completed", 2],
    ]);
  });

  it("rejects every call of a delivery whose lease ran out with LeaseLostError, and every call after its end", async () => {
    const { backend } = open();
    await backend.enqueue([{ record: record("lapsed", {}), runAt: Date.now() }]);
    const taken: JobDelivery[] = [];
    const consumer = backend.consume("loans", { concurrency: 1, leaseMs: 200, onDelivery: async (d) => void taken.push(d) });
    await waitFor(() => taken.length === 1, 5_000, "the delivery");
    await consumer.stop();
    const [delivery] = taken;
    await sleep(350);
    const errors = await Promise.all([delivery!.extend(1_000), delivery!.save(record("lapsed", { page: 2 })), delivery!.complete()].map((p) => p.then(() => "ok", (e: unknown) => e)));
    expect(errors.map((e) => (e instanceof LeaseLostError ? e.name : e))).toEqual(["LeaseLostError", "LeaseLostError", "LeaseLostError"]);
    const after = await delivery!.retry(Date.now(), record("lapsed", {})).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(LeaseLostError);
  });

  it("gives a job back at shutdown without counting the attempt", async () => {
    const seen: Array<[number, number]> = [];
    let hang = true;
    const sync = defineJob({
      name: "loan.sync",
      payload: z.object({}),
      handler: async (_p, ctx) => {
        seen.push([ctx.attempt, ctx.history.length]);
        if (hang) await new Promise<void>((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }));
      },
    });
    const { backend, prefix } = open();
    const { queue, events } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {}, { jobId: "long" });
    const first = queue.work();
    await waitFor(() => seen.length === 1, 5_000, "the first start");
    expect(await first.stop({ deadlineMs: 100 })).toEqual({ finished: 0, released: 1 });
    expect((await stored(prefix, "long")).ats).toBe("0");
    expect(await backend.stats("loans")).toMatchObject({ waiting: 1, active: 0, retrying: 0 });
    hang = false;
    const second = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the second start");
    await second.stop();
    expect(seen).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(events.filter((e) => e.type === "released").map((e) => [e.jobId, (e as { attempt: number }).attempt])).toEqual([["long", 1]]);
  });

  it("dead-letters after maxAttempts into the queue's sink and removes the job from Redis, so a re-drive can enqueue it again", async () => {
    const sync = defineJob({ name: "loan.sync", payload: z.object({ loanId: z.string() }), maxAttempts: 2, retry: fast, handler: () => Promise.reject(new Error("bpo unreachable")) });
    const { backend, prefix } = open();
    const deadLetters = createMemoryDeadLetterSink();
    const { queue, events } = queueOn(backend, [sync], deadLetters);
    await queue.enqueue(sync, { loanId: "L-1" }, { jobId: "doomed", tenantId: "t-3" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "dead"), 5_000, "the dead letter");
    await worker.stop();
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.id, l.attempts, l.tenantId, l.error.name, l.error.message])).toEqual([["job:loans:doomed", 2, "t-3", "Error", "bpo unreachable"]]);
    expect((letters[0]!.payload as JobRecord).metadata.history.map((h) => [h.attempt, h.outcome])).toEqual([
      [1, "failed"],
      [2, "failed"],
    ]);
    expect([await stored(prefix, "doomed"), await admin.zcard(`${prefix}:loans:failed`)]).toEqual([{}, 0]);
    expect(await queue.redrive()).toEqual({ replayed: 1, failed: 0, failedIds: [] });
    expect(await backend.stats("loans")).toMatchObject({ waiting: 1 });
  });

  it("defaults to core's Redis stream sink on the same Redis, under the prefix", async () => {
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), maxAttempts: 1, handler: () => Promise.reject(new Error("nope")) });
    const { backend, prefix } = open();
    const { queue, events } = queueOn(backend, [sync], "backend's own");
    expect(queue.deadLetters).toBe(backend.deadLetters);
    await queue.enqueue(sync, {}, { jobId: "to-stream" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "dead"), 5_000, "the dead letter");
    await worker.stop();
    expect((await backend.deadLetters.list()).map((l) => l.id)).toEqual(["job:loans:to-stream"]);
    expect(await admin.xlen(`${prefix}:dead-letters`)).toBe(1);
  });

  it("resumes from the checkpoint the previous attempt saved", async () => {
    const seen: unknown[] = [];
    const sync = defineJob({
      name: "loan.sync",
      payload: z.object({}),
      retry: fast,
      handler: async (_p, ctx) => {
        seen.push(ctx.checkpoint);
        if (ctx.attempt === 1) {
          await ctx.saveCheckpoint({ page: 3 });
          throw new ServerError("bpo 503 after page 3", { status: 503 });
        }
      },
    });
    const { backend, prefix } = open();
    const { queue, events } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {}, { jobId: "import" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "completion");
    await worker.stop();
    expect(seen).toEqual([undefined, { page: 3 }]);
    expect((JSON.parse((await stored(prefix, "import")).data!) as JobRecord).metadata.checkpoint).toEqual({ page: 3 });
  });

  it("counts waiting, delayed, active and retrying jobs and reports the oldest waiting job's ready time", async () => {
    const { backend } = open();
    const now = Date.now();
    await backend.enqueue([
      { record: record("a", {}), runAt: now - 9_000 },
      { record: record("b", {}), runAt: now - 8_000 },
    ]);
    const taken: JobDelivery[] = [];
    const consumer = backend.consume("loans", { concurrency: 2, leaseMs: 400, onDelivery: async (d) => void taken.push(d) });
    await waitFor(() => taken.length === 2, 5_000, "two deliveries");
    await consumer.stop();
    const [a, b] = taken.sort((x, y) => x.record!.header.id.localeCompare(y.record!.header.id));
    await b!.retry(Date.now() + 60_000, { ...b!.record!, metadata: { ...b!.record!.metadata, lastAttempt: 1 } });
    await backend.enqueue([
      { record: record("c", {}), runAt: now + 60_000 },
      { record: record("d", {}), runAt: now - 5_000 },
      { record: record("e", {}), runAt: now - 1_000 },
    ]);
    expect(await backend.stats("loans")).toEqual({ waiting: 2, delayed: 2, active: 1, retrying: 1, oldestWaitingSince: now - 5_000 });
    // a's lease runs out (nobody renews it): it counts as waiting again, as it is free to take.
    await sleep(450);
    expect(await backend.stats("loans")).toMatchObject({ waiting: 3, delayed: 2, active: 0, retrying: 1 });
    void a;
  });

  it("rejects enqueue with StoreUnavailableError when Redis cannot be reached, and reports the queue unhealthy", async () => {
    const port = await freePort();
    const backend = createBullMqBackend({ connection: `redis://127.0.0.1:${port}`, prefix: "down", connectTimeoutMs: 200 });
    cleanups.push(() => backend.close());
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), handler: () => undefined });
    const { queue } = queueOn(backend, [sync]);
    const started = Date.now();
    const failure = await queue.enqueue(sync, {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ component: "jobs", retryable: true, mayHaveReachedVendor: false });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await backend.stats("loans").catch((e: unknown) => (e as Error).name)).toBe("StoreUnavailableError");
    expect((await queue.healthCheck()).status).toBe("unhealthy");
  });

  it("fails enqueue fast with StoreUnavailableError once a connected Redis goes away", async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    cleanups.push(() => server.stop());
    const backend = createBullMqBackend({ connection: `redis://127.0.0.1:${port}`, prefix: "gone" });
    cleanups.push(() => backend.close());
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), handler: () => undefined });
    const { queue } = queueOn(backend, [sync]);
    expect((await queue.enqueue(sync, {}, { jobId: "before" })).created).toBe(true);
    await server.stop();
    await sleep(100);
    const started = Date.now();
    const failure = await queue.enqueue(sync, {}, { jobId: "after" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("shuts a worker down within its deadline and the lease while Redis is gone", async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    cleanups.push(() => server.stop());
    const backend = createBullMqBackend({ connection: `redis://127.0.0.1:${port}`, prefix: "outage", stalledIntervalMs: 100 });
    cleanups.push(() => backend.close());
    let started = 0;
    const sync = defineJob({ name: "loan.sync", payload: z.object({}), leaseMs: 1_000, handler: (_p, ctx) => new Promise<void>((_, reject) => (started += 1, ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }))) });
    const { queue } = queueOn(backend, [sync]);
    await queue.enqueue(sync, {});
    const worker = queue.work();
    await waitFor(() => started === 1, 5_000, "the job to start");
    await server.stop();
    const stopping = Date.now();
    // The release cannot reach Redis: it gives up after the lease instead of waiting for Redis forever.
    expect(await worker.stop({ deadlineMs: 100 })).toEqual({ finished: 0, released: 0 });
    expect(Date.now() - stopping).toBeLessThan(2_500);
  });

  describe("worker processes killed with SIGKILL", () => {
    const workerScript = fileURLToPath(new URL("./bullmq-worker.mjs", import.meta.url));
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0)) child.kill("SIGKILL");
    });

    /** Start a worker process on the built package; resolves with it and a stream of its "started" lines. */
    function spawnWorker(prefix: string): { child: ChildProcess; lines: string[] } {
      const child = spawn(process.execPath, [workerScript], { env: { ...process.env, REDIS_URL, PREFIX: prefix }, stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      const lines: string[] = [];
      let buffer = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split("\n");
        buffer = parts.pop()!;
        lines.push(...parts);
      });
      return { child, lines };
    }

    it("hands the job of each killed worker to the next one with the attempt counted, and dead-letters when they are used up — BullMQ never fails it itself", async () => {
      // The workers run the built package (as a host would), so it must have been built.
      expect(existsSync(fileURLToPath(new URL("../dist/bullmq.js", import.meta.url))), "build @connect/jobs first (npm run build)").toBe(true);
      const { backend, prefix } = open();
      // The sink also snapshots the BullMQ job as it is dead-lettered (the job is removed right after).
      const memory = createMemoryDeadLetterSink();
      let atDeath: Record<string, string> = {};
      const deadLetters: DeadLetterSink = { ...memory, put: async (letter) => ((atDeath = await stored(prefix, "loan:L-9")), memory.put(letter)) };
      const sync = defineJob({ name: "loan.sync", payload: z.object({ loanId: z.string() }), maxAttempts: 2, leaseMs: 1_000, handler: () => undefined });
      const { queue, events } = queueOn(backend, [sync], deadLetters);
      const workers = [spawnWorker(prefix), spawnWorker(prefix)];
      await waitFor(() => workers.every((w) => w.lines.includes("ready")), 10_000, "two worker processes");
      await queue.enqueue(sync, { loanId: "L-9" }, { jobId: "loan:L-9" });

      const startedBy = (attempt: number) => workers.find((w) => w.lines.includes(`started loan:L-9 ${attempt}`));
      await waitFor(() => startedBy(1) !== undefined, 5_000, "the first worker to start the job");
      const first = startedBy(1)!;
      first.child.kill("SIGKILL");
      await waitFor(() => startedBy(2) !== undefined, 5_000, "the second worker to start it after the first one's lease ran out");
      const second = startedBy(2)!;
      expect(second).not.toBe(first);
      second.child.kill("SIGKILL");

      // This process's worker gets the third delivery: both attempts are used up, so it dead-letters it.
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "dead"), 5_000, "the dead letter");
      await worker.stop();
      // Stalled twice, taken three times: with BullMQ's own limit (maxStalledCount, default 1) the second
      // stall would have marked it to fail ("defa"); here only our worker decided, by dead-lettering it.
      expect([atDeath.stc, atDeath.ats, atDeath.defa, await admin.zcard(`${prefix}:loans:failed`)]).toEqual(["2", "3", undefined, 0]);
      const [letter] = await memory.list();
      expect([letter!.id, letter!.attempts, letter!.error.name]).toEqual(["job:loans:loan:L-9", 3, "LeaseExpiredError"]);
      expect((letter!.payload as JobRecord).metadata.history.map((h) => [h.attempt, h.outcome])).toEqual([
        [1, "lease-expired"],
        [2, "lease-expired"],
      ]);
      expect(await stored(prefix, "loan:L-9")).toEqual({});
    }, 20_000);
  });
});

/** A private redis-server on `port` (persistence off), for the test that stops Redis. */
async function startRedisServer(port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.env.REDIS_SERVER_BIN ?? "redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let log = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Ready to accept connections")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
    child.on("error", reject);
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
