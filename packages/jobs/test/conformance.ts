/**
 * The one conformance suite every backend passes (issue 20): the same behaviours through the same
 * queue and worker, on node:sqlite, BullMQ and SQS. A backend test file calls
 * `describeBackendConformance(name, setup)`; `setup` gives a fresh, empty backend per test.
 */
import { createMemoryDeadLetterSink, NotFoundError, RateLimitedError, ServerError, ValidationError, type DeadLetterSink } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobQueue, defineJob, type JobBackend, type JobContext, type JobEvent, type JobQueue, type JobRecord } from "../src/index.js";

/** What a backend's test provides. */
export interface ConformanceSetup {
  /** A fresh backend (its own queues / prefix / file) and its cleanup. */
  create(): Promise<{ backend: JobBackend; cleanup(): Promise<void> }>;
  /** The shortest lease the engine supports well (SQS: whole seconds). Default 1 000 ms. */
  leaseMs?: number;
  /** True when `release()` counts as an attempt on this engine (documented deviation). */
  releaseCountsAttempt?: boolean;
  /** False when the engine cannot tell the oldest waiting job's age (SQS: only CloudWatch knows). */
  oldestAgeKnown?: boolean;
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 8_000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function describeBackendConformance(name: string, setup: ConformanceSetup): void {
  const leaseMs = setup.leaseMs ?? 1_000;
  const fast = { minDelayMs: 20, maxDelayMs: 100, factor: 2, jitter: false };

  describe(`backend conformance: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
    });

    async function fresh(jobs: Parameters<typeof createJobQueue>[0]["jobs"], extra: { deadLetters?: DeadLetterSink; schedules?: Parameters<typeof createJobQueue>[0]["schedules"] } = {}) {
      const { backend, cleanup } = await setup.create();
      const events: JobEvent[] = [];
      const deadLetters = extra.deadLetters ?? createMemoryDeadLetterSink();
      const queue = createJobQueue({ name: "conformance", backend, jobs, deadLetters, schedules: extra.schedules, onEvent: (e) => events.push(e) });
      cleanups.push(async () => {
        await queue.close();
        await cleanup();
      });
      return { backend, queue, events, deadLetters };
    }

    it("runs an enqueued job once, with its payload and the context minted at enqueue", async () => {
      const seen: Array<{ payload: unknown; ctx: Pick<JobContext, "jobId" | "attempt" | "tenantId" | "correlationId" | "idempotencyKey" | "resumed" | "source" | "queue" | "name"> }> = [];
      const job = defineJob({
        name: "greet",
        payload: z.object({ to: z.string() }),
        handler: (payload, ctx) => {
          seen.push({ payload, ctx: { jobId: ctx.jobId, attempt: ctx.attempt, tenantId: ctx.tenantId, correlationId: ctx.correlationId, idempotencyKey: ctx.idempotencyKey, resumed: ctx.resumed, source: ctx.source, queue: ctx.queue, name: ctx.name } });
        },
      });
      const { queue, events } = await fresh([job]);
      const result = await queue.enqueue(job, { to: "ana" }, { jobId: "greet-1", tenantId: "t-9", correlationId: "corr-1" });
      expect(result).toMatchObject({ jobId: "greet-1", created: true });
      const worker = queue.work({ concurrency: 2 });
      await waitFor(() => seen.length === 1, 8_000, "the job to run");
      await waitFor(() => events.some((e) => e.type === "completed"), 8_000, "completion");
      await worker.stop();
      expect(seen).toEqual([
        {
          payload: { to: "ana" },
          ctx: { jobId: "greet-1", attempt: 1, tenantId: "t-9", correlationId: "corr-1", idempotencyKey: "job_conformance_greet-1", resumed: false, source: "enqueue", queue: "conformance", name: "greet" },
        },
      ]);
      expect(events.map((e) => e.type)).toEqual(["enqueued", "started", "completed"]);
    });

    it("rejects a bad payload with ValidationError before anything is stored", async () => {
      const job = defineJob({ name: "typed", payload: z.object({ amount: z.number().positive() }), handler: () => undefined });
      const { queue } = await fresh([job]);
      const failure = await queue.enqueue(job, { amount: -5 }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ValidationError);
      expect((failure as ValidationError).issues).toEqual([expect.objectContaining({ path: "amount" })]);
      const secret = await queue.enqueue(job, { amount: 5, apiKey: "sk_live_123456789" } as never).catch((e: unknown) => e);
      expect(secret).toBeInstanceOf(ValidationError);
      expect((secret as ValidationError).issues.map((i) => i.path)).toEqual(["apiKey"]);
      const stats = await queue.stats();
      expect(stats.waiting + stats.delayed).toBe(0);
    });

    it("stores one job for one job id, however often it is enqueued", async () => {
      let runs = 0;
      const job = defineJob({ name: "once", payload: z.object({ n: z.number() }), handler: () => void (runs += 1) });
      const { queue } = await fresh([job]);
      const results = await Promise.all([queue.enqueue(job, { n: 1 }, { jobId: "same" }), queue.enqueue(job, { n: 2 }, { jobId: "same" })]);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      const again = await queue.enqueueMany([{ job, payload: { n: 3 }, options: { jobId: "same" } }, { job, payload: { n: 4 }, options: { jobId: "other" } }]);
      expect(again.map((r) => [r.jobId, r.created])).toEqual([["same", false], ["other", true]]);
      const worker = queue.work();
      await waitFor(() => runs === 2, 8_000, "two runs");
      // Still one job per id after completion (the completed id is remembered).
      expect((await queue.enqueue(job, { n: 5 }, { jobId: "same" })).created).toBe(false);
      await sleep(300);
      await worker.stop();
      expect(runs).toBe(2);
    });

    it("does not run a delayed job before its time", async () => {
      const ran: number[] = [];
      const job = defineJob({ name: "later", payload: z.object({}), handler: () => void ran.push(Date.now()) });
      const { queue } = await fresh([job]);
      const enqueuedAt = Date.now();
      await queue.enqueue(job, {}, { delayMs: 1_500 });
      const stats = await queue.stats();
      expect(stats.delayed).toBe(1);
      expect(stats.waiting).toBe(0);
      const worker = queue.work();
      await waitFor(() => ran.length === 1, 10_000, "the delayed job");
      await worker.stop();
      expect(ran[0]! - enqueuedAt).toBeGreaterThanOrEqual(1_450);
    });

    it("retries a retryable failure with backoff and keeps the attempt history", async () => {
      const attempts: Array<{ attempt: number; history: number; at: number }> = [];
      const job = defineJob({
        name: "flaky",
        payload: z.object({}),
        retry: { ...fast, minDelayMs: 200, maxDelayMs: 1_000 },
        handler: (_payload, ctx) => {
          attempts.push({ attempt: ctx.attempt, history: ctx.history.length, at: Date.now() });
          if (ctx.attempt < 3) throw new ServerError(`vendor 503 on attempt ${ctx.attempt}`, { status: 503 });
        },
      });
      const { queue, events } = await fresh([job]);
      await queue.enqueue(job, {}, { jobId: "flaky-1" });
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "completed"), 10_000, "success on attempt 3");
      await worker.stop();
      expect(attempts.map((a) => [a.attempt, a.history])).toEqual([[1, 0], [2, 1], [3, 2]]);
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(190);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(390);
      const retrying = events.filter((e) => e.type === "retrying");
      expect(retrying.map((e) => [e.attempt, (e as { error: Record<string, unknown> }).error.name])).toEqual([[1, "ServerError"], [2, "ServerError"]]);
    });

    it("waits out Retry-After", async () => {
      const at: number[] = [];
      const job = defineJob({
        name: "limited",
        payload: z.object({}),
        retry: fast,
        handler: (_p, ctx) => {
          at.push(Date.now());
          if (ctx.attempt === 1) throw new RateLimitedError("429", { status: 429, retryAfterMs: 1_200 });
        },
      });
      const { queue } = await fresh([job]);
      await queue.enqueue(job, {});
      const worker = queue.work();
      await waitFor(() => at.length === 2, 10_000, "the second attempt");
      await worker.stop();
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1_150);
    });

    it("dead-letters a permanent error at once, with the job record and its history", async () => {
      let runs = 0;
      const job = defineJob({
        name: "missing",
        payload: z.object({ envelopeId: z.string() }),
        handler: () => {
          runs += 1;
          throw new NotFoundError("docusign envelopes.get: envelope not found", { vendor: "docusign", operation: "envelopes.get", status: 404 });
        },
      });
      const { queue, events, deadLetters } = await fresh([job]);
      await queue.enqueue(job, { envelopeId: "env-1" }, { jobId: "m-1", tenantId: "t-1", correlationId: "c-1" });
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "dead"), 8_000, "the dead letter");
      await worker.stop();
      expect(runs).toBe(1);
      const letters = await deadLetters.list();
      expect(letters).toHaveLength(1);
      const letter = letters[0]!;
      expect(letter).toMatchObject({ id: "job:conformance:m-1", kind: "job", adapterId: "jobs:conformance", operation: "missing", correlationId: "c-1", tenantId: "t-1", attempts: 1 });
      expect(letter.error).toMatchObject({ name: "NotFoundError", status: 404, vendor: "docusign" });
      const record = letter.payload as JobRecord;
      expect(record.header).toMatchObject({ id: "m-1", name: "missing", queue: "conformance", idempotencyKey: "job_conformance_m-1" });
      expect(record.payload).toEqual({ envelopeId: "env-1" });
      expect(record.metadata.history).toEqual([expect.objectContaining({ attempt: 1, outcome: "failed", error: expect.objectContaining({ name: "NotFoundError" }) })]);
      expect((await queue.stats()).dead).toBe(1);
      expect((await queue.healthCheck()).status).toBe("degraded");
    });

    it("dead-letters a job whose retryable failures exhaust maxAttempts", async () => {
      const job = defineJob({ name: "down", payload: z.object({}), maxAttempts: 3, retry: fast, handler: () => { throw new Error("vendor unreachable") } });
      const { queue, events, deadLetters } = await fresh([job]);
      await queue.enqueue(job, {}, { jobId: "d-1" });
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "dead"), 10_000, "the dead letter");
      await worker.stop();
      const [letter] = await deadLetters.list();
      expect(letter!.attempts).toBe(3);
      expect((letter!.payload as JobRecord).metadata.history.map((h) => [h.attempt, h.outcome])).toEqual([[1, "failed"], [2, "failed"], [3, "failed"]]);
      expect(events.filter((e) => e.type === "started")).toHaveLength(3);
    });

    it("hands a job whose worker stopped renewing its lease to the next worker, counting the lost attempt", async () => {
      const seen: Array<{ attempt: number; resumed: boolean; history: unknown[] }> = [];
      const job = defineJob({ name: "survivor", payload: z.object({}), leaseMs, handler: (_p, ctx) => void seen.push({ attempt: ctx.attempt, resumed: ctx.resumed, history: [...ctx.history] }) });
      const { queue, backend } = await fresh([job]);
      await queue.enqueue(job, {}, { jobId: "s-1" });
      // A "dead" worker: takes the job under a lease and never renews, acks or releases it.
      let held = 0;
      const dead = backend.consume("conformance", { concurrency: 1, leaseMs, onDelivery: () => ((held += 1), new Promise<void>(() => undefined)) });
      await waitFor(() => held === 1, 8_000, "the dead worker to take the job");
      await dead.stop();
      const worker = queue.work();
      await waitFor(() => seen.length === 1, leaseMs * 4 + 8_000, "redelivery after the lease");
      await worker.stop();
      expect(seen[0]).toMatchObject({ attempt: 2, resumed: true });
      expect(seen[0]!.history).toEqual([expect.objectContaining({ attempt: 1, outcome: "lease-expired", error: expect.objectContaining({ name: "LeaseExpiredError" }) })]);
    });

    it("keeps a running job's lease alive while its handler works past the lease", async () => {
      let runs = 0;
      const job = defineJob({ name: "slow", payload: z.object({}), leaseMs, handler: async () => { runs += 1; await sleep(leaseMs * 2.5) } });
      const { queue, events } = await fresh([job]);
      await queue.enqueue(job, {});
      const a = queue.work({ concurrency: 1 });
      const b = queue.work({ concurrency: 1 });
      await waitFor(() => events.some((e) => e.type === "completed"), leaseMs * 6 + 8_000, "completion");
      await sleep(200);
      await Promise.all([a.stop(), b.stop()]);
      expect(runs).toBe(1);
    });

    it("dead-letters a job with an unknown name or a payload that no longer fits its schema, without running it", async () => {
      let runs = 0;
      const job = defineJob({ name: "strict", payload: z.object({ id: z.string() }), handler: () => void (runs += 1) });
      const { queue, backend, deadLetters } = await fresh([job]);
      const base = (id: string, name: string, payload: unknown): JobRecord => ({
        header: { id, name, queue: "conformance", schemaVersion: 1, correlationId: `corr-${id}`, createdAt: new Date().toISOString(), idempotencyKey: `key-${id}` },
        payload,
        metadata: { source: "enqueue", history: [] },
      });
      // Written straight to the backend, as an older deployment or another producer would have.
      await backend.enqueue([
        { record: base("u-1", "retired.job", {}), runAt: Date.now() },
        { record: base("p-1", "strict", { id: 42 }), runAt: Date.now() },
      ]);
      const worker = queue.work();
      await waitFor(async () => (await deadLetters.list()).length === 2, 8_000, "two dead letters");
      await worker.stop();
      expect(runs).toBe(0);
      const letters = Object.fromEntries((await deadLetters.list()).map((l) => [l.id, l.error.name]));
      expect(letters).toEqual({ "job:conformance:u-1": "UnknownJobError", "job:conformance:p-1": "ValidationError" });
    });

    it("re-drives dead letters back onto the queue with attempts reset and history kept", async () => {
      let fail = true;
      const ran: number[] = [];
      const job = defineJob({
        name: "redrivable",
        payload: z.object({}),
        maxAttempts: 1,
        handler: (_p, ctx) => {
          ran.push(ctx.attempt);
          if (fail) throw new ServerError("outage", { status: 503 });
        },
      });
      const { queue, events, deadLetters } = await fresh([job]);
      await queue.enqueue(job, {}, { jobId: "r-1" });
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "dead"), 8_000, "the dead letter");
      fail = false;
      const result = await queue.redrive();
      expect(result).toEqual({ replayed: 1, failed: 0, failedIds: [] });
      await waitFor(() => events.some((e) => e.type === "completed"), 8_000, "the re-driven run");
      await worker.stop();
      expect(ran).toEqual([1, 1]);
      expect(await deadLetters.list()).toEqual([]);
      expect(events.filter((e) => e.type === "enqueued").map((e) => (e as { created: boolean }).created)).toEqual([true, true]);
    });

    it("finishes running jobs at shutdown within the deadline and releases the rest", async () => {
      const job = defineJob({
        name: "long",
        payload: z.object({ ms: z.number() }),
        handler: async ({ ms }, ctx) => {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, ms);
            ctx.signal.addEventListener("abort", () => (clearTimeout(timer), reject(ctx.signal.reason)), { once: true });
          });
        },
      });
      const { queue, events } = await fresh([job]);
      await queue.enqueueMany([
        { job, payload: { ms: 50 }, options: { jobId: "quick" } },
        { job, payload: { ms: 60_000 }, options: { jobId: "stuck" } },
      ]);
      const worker = queue.work({ concurrency: 2 });
      await waitFor(() => events.filter((e) => e.type === "started").length === 2, 8_000, "both to start");
      const stopped = await worker.stop({ deadlineMs: 500 });
      expect(stopped).toEqual({ finished: 1, released: 1 });
      expect(events.filter((e) => e.type === "completed").map((e) => e.jobId)).toEqual(["quick"]);
      const seen: number[] = [];
      const again = createJobQueue({ name: "conformance", backend: queue.backend, deadLetters: queue.deadLetters, jobs: [defineJob({ name: "long", payload: z.object({ ms: z.number() }), handler: (_p, ctx) => void seen.push(ctx.attempt) })] });
      const next = again.work();
      await waitFor(() => seen.length === 1, 8_000, "the released job");
      await next.stop();
      expect(seen).toEqual([setup.releaseCountsAttempt ? 2 : 1]);
    });

    it("never runs more jobs at once than the concurrency", async () => {
      let running = 0;
      let peak = 0;
      let done = 0;
      const job = defineJob({ name: "busy", payload: z.object({ i: z.number() }), handler: async () => { running += 1; peak = Math.max(peak, running); await sleep(30); running -= 1; done += 1 } });
      const { queue } = await fresh([job]);
      await queue.enqueueMany(Array.from({ length: 12 }, (_, i) => ({ job, payload: { i } })));
      const worker = queue.work({ concurrency: 3 });
      await waitFor(() => done === 12, 10_000, "all twelve");
      await worker.stop();
      expect(peak).toBe(3);
    });

    it("resumes from the checkpoint the previous attempt saved", async () => {
      const seen: unknown[] = [];
      const job = defineJob({
        name: "import",
        payload: z.object({}),
        retry: fast,
        handler: async (_p, ctx) => {
          seen.push(ctx.checkpoint);
          if (ctx.attempt === 1) {
            await ctx.saveCheckpoint({ rowsCommitted: 500 });
            throw new ServerError("crashed halfway", { status: 503 });
          }
        },
      });
      const { queue, events } = await fresh([job]);
      await queue.enqueue(job, {});
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "completed"), 8_000, "completion");
      await worker.stop();
      expect(seen).toEqual([undefined, { rowsCommitted: 500 }]);
    });

    it("aborts a handler that runs past its timeout and counts the attempt as failed", async () => {
      const job = defineJob({ name: "hang", payload: z.object({}), maxAttempts: 1, timeoutMs: 200, handler: () => new Promise<void>(() => undefined) });
      const { queue, events, deadLetters } = await fresh([job]);
      await queue.enqueue(job, {});
      const worker = queue.work();
      await waitFor(() => events.some((e) => e.type === "dead"), 8_000, "the dead letter");
      await worker.stop();
      const [letter] = await deadLetters.list();
      expect(letter!.error).toMatchObject({ name: "JobTimeoutError", timeoutMs: 200 });
    });

    it("fires a cron schedule once per fire time, however many workers run it", async () => {
      const fired: string[] = [];
      const job = defineJob({ name: "tick", payload: z.object({ at: z.string() }), handler: ({ at }) => void fired.push(at) });
      const { queue, backend, deadLetters } = await fresh([job], { schedules: [] });
      const schedules = [{ name: "every-second", job, cron: "* * * * * *", timezone: "America/Los_Angeles", payload: (at: Date) => ({ at: at.toISOString() }) }];
      const a = createJobQueue({ name: "conformance", backend, deadLetters, jobs: [job], schedules });
      const b = createJobQueue({ name: "conformance", backend, deadLetters, jobs: [job], schedules });
      const wa = a.work();
      const wb = b.work();
      await waitFor(() => fired.length >= 3, 10_000, "three fire times");
      await Promise.all([wa.stop(), wb.stop()]);
      expect(new Set(fired).size).toBe(fired.length);
      for (const at of fired) expect(new Date(at).getUTCMilliseconds()).toBe(0);
      void queue;
    });

    it("reports depth and the oldest waiting job's age", async () => {
      const job = defineJob({ name: "idle", payload: z.object({}), handler: () => undefined });
      const { queue } = await fresh([job]);
      await queue.enqueueMany([{ job, payload: {} }, { job, payload: {} }, { job, payload: {}, options: { delayMs: 60_000 } }]);
      await sleep(120);
      const stats = await queue.stats();
      expect(stats).toMatchObject({ queue: "conformance", waiting: 2, delayed: 1, active: 0, dead: 0 });
      if (setup.oldestAgeKnown !== false) expect(stats.oldestWaitingAgeMs).toBeGreaterThanOrEqual(100);
      const health = await queue.healthCheck();
      expect(health.status).toBe("healthy");
    });
  });
}

export type { JobQueue };
