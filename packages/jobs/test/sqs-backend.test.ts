/**
 * The SQS backend through createJobQueue, against the SQS fake on loopback and the real
 * `@aws-sdk/client-sqs`: standard and FIFO queues, dedupe, delays (DelaySeconds and the
 * not-before attribute), retries, lease expiry, dead letters and a queue that is down. Most tests
 * share an injected clock between the fake, the backend and the queue, and move it by hand.
 */
import { createMemoryDeadLetterSink, createMemoryDedupeStore, ServerError, StoreUnavailableError, type DedupeStore } from "@connect/core";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobQueue, defineJob, LeaseLostError, type JobContext, type JobDefinition, type JobDelivery, type JobEvent } from "../src/index.js";
import { createSqsBackend } from "../src/sqs/index.js";
import { createSqsFake, type SqsFake } from "../src/testing/index.js";
import { waitFor } from "./conformance.js";

const T0 = 1_800_000_000_000;
const credentials = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Setup {
  fifo?: boolean;
  /** Share a hand-moved clock between fake, backend and queue. */
  manualClock?: boolean;
  dedupe?: DedupeStore;
  queueAttributes?: Record<string, string>;
  maxAttempts?: number;
}

async function setup(jobs: JobDefinition[], options: Setup = {}) {
  const clock = { now: T0 };
  const now = options.manualClock ? () => clock.now : Date.now;
  const fake: SqsFake = createSqsFake({ now });
  const server: ServedHandlers = await serveHandlers(fake.handlers);
  const sqsName = options.fifo ? "work.fifo" : "work";
  fake.createQueue(sqsName, { ...(options.fifo ? { FifoQueue: "true" } : {}), ...options.queueAttributes });
  const url = `${server.url}/000000000000/${sqsName}`;
  const backend = createSqsBackend({
    client: { endpoint: server.url, region: "us-east-1", credentials, maxAttempts: options.maxAttempts ?? 1 },
    queueUrls: { work: url },
    waitTimeSeconds: 1,
    dedupe: options.dedupe,
    now,
  });
  const events: JobEvent[] = [];
  const deadLetters = createMemoryDeadLetterSink();
  const queue = createJobQueue({ name: "work", backend, jobs, deadLetters, now, onEvent: (e) => events.push(e) });
  cleanups.push(async () => {
    await queue.close();
    await backend.close();
    fake.close();
    await server.close();
  });
  const advance = (ms: number): void => {
    clock.now += ms;
    fake.wake();
  };
  return { fake, server, url, backend, queue, events, deadLetters, clock, advance, sqsName };
}

const attemptsAttribute = (fake: SqsFake, name: string) => fake.messages(name).map((m) => m.messageAttributes["connect.attempts"]?.StringValue);

/**
 * Wait until a retry's message is in place: on FIFO it is received at once (too early) and hidden
 * until its time, and the clock must not move before that hide, or the hide would count from the
 * moved clock.
 */
async function retryInPlace(fake: SqsFake, name: string, fifo: boolean): Promise<void> {
  await waitFor(() => attemptsAttribute(fake, name).join() === "1", 5_000, "the re-sent message");
  if (fifo) await waitFor(() => fake.calls.some((c) => c.operation === "ChangeMessageVisibility" && c.outcome === "ok"), 5_000, "the early receive's re-hide");
}

describe.each([
  { kind: "standard", fifo: false },
  { kind: "FIFO", fifo: true },
])("$kind queue", ({ fifo }) => {
  it("enqueues with SendMessageBatch in chunks of 10 and runs every job once, attempt 1", async () => {
    const ran: Array<[string, number]> = [];
    const job = defineJob({ name: "count", payload: z.object({ n: z.number() }), handler: ({ n }, ctx) => void ran.push([`${n}`, ctx.attempt]) });
    const { queue, fake, events, sqsName } = await setup([job], { fifo });
    const results = await queue.enqueueMany(Array.from({ length: 23 }, (_, n) => ({ job, payload: { n }, options: { jobId: `job-${n}`, tenantId: `t${n % 3}` } })));
    expect(results.map((r) => r.created)).toEqual(Array(23).fill(true));
    expect(fake.calls.filter((c) => c.operation === "SendMessageBatch").map((c) => (c.body.Entries as unknown[]).length)).toEqual([10, 10, 3]);
    const [first] = fake.messages(sqsName);
    expect(first!.messageAttributes).toEqual({ "connect.attempts": { DataType: "Number", StringValue: "0" }, "connect.jobId": { DataType: "String", StringValue: "job-0" } });
    expect([first!.groupId, first!.deduplicationId]).toEqual(fifo ? ["t0", "job-0"] : [undefined, undefined]);
    const worker = queue.work({ concurrency: 4 });
    await waitFor(() => events.filter((e) => e.type === "completed").length === 23, 8_000, "23 completions");
    await worker.stop();
    expect(ran.map(([n]) => Number(n)).sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, n) => n));
    expect(new Set(ran.map(([, attempt]) => attempt))).toEqual(new Set([1]));
    expect(fake.messages(sqsName)).toEqual([]);
  });

  it("retries a failure as a new message carrying the attempt, with the history updated", async () => {
    const histories: Array<{ attempt: number; history: JobContext["history"] }> = [];
    const job = defineJob({
      name: "flaky",
      payload: z.object({}),
      retry: { minDelayMs: 5_000, jitter: false },
      handler: (_p, ctx) => {
        histories.push({ attempt: ctx.attempt, history: [...ctx.history] });
        if (ctx.attempt === 1) throw new ServerError("vendor 503", { status: 503 });
      },
    });
    const { queue, fake, events, advance, sqsName } = await setup([job], { fifo, manualClock: true });
    await queue.enqueue(job, {}, { jobId: "flaky-1" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "retrying"), 5_000, "the retry");
    await retryInPlace(fake, sqsName, fifo);
    const [resent] = fake.messages(sqsName);
    if (fifo) {
      // FIFO takes no per-message delay: the not-before time rides along and the message is hidden until then.
      expect(resent!.messageAttributes["connect.notBefore"]?.StringValue).toBe(String(T0 + 5_000));
      expect([resent!.deduplicationId, resent!.state, resent!.availableAt]).toEqual(["flaky-1#a1", "inflight", T0 + 5_000]);
    } else {
      expect([resent!.state, resent!.availableAt, resent!.messageAttributes["connect.notBefore"]]).toEqual(["delayed", T0 + 5_000, undefined]);
    }
    expect(histories).toHaveLength(1);
    advance(5_000);
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the second attempt");
    await worker.stop();
    expect(histories.map((h) => h.attempt)).toEqual([1, 2]);
    expect(histories[1]!.history).toEqual([
      expect.objectContaining({ attempt: 1, outcome: "failed", retryAt: new Date(T0 + 5_000).toISOString(), error: expect.objectContaining({ name: "ServerError", status: 503 }) }),
    ]);
    expect(fake.messages(sqsName)).toEqual([]);
  });

  it("redelivers a job whose worker died as attempt 2, the lost attempt recorded as lease-expired; the dead worker's ack is refused", async () => {
    const seen: Array<{ attempt: number; history: JobContext["history"] }> = [];
    const job = defineJob({ name: "survivor", payload: z.object({}), leaseMs: 1_000, handler: (_p, ctx) => void seen.push({ attempt: ctx.attempt, history: [...ctx.history] }) });
    const { queue, backend, advance, fake, sqsName } = await setup([job], { fifo, manualClock: true });
    await queue.enqueue(job, {}, { jobId: "s-1" });
    let lost: JobDelivery | undefined;
    const dead = backend.consume("work", { concurrency: 1, leaseMs: 1_000, onDelivery: (d) => ((lost = d), new Promise<void>(() => undefined)) });
    await waitFor(() => lost !== undefined, 5_000, "the dead worker to take the job");
    await dead.stop();
    expect(lost!.attempt).toBe(1);
    expect(fake.messages(sqsName).map((m) => [m.state, m.availableAt])).toEqual([["inflight", T0 + 1_000]]);
    const worker = queue.work();
    advance(1_000);
    await waitFor(() => seen.length === 1, 5_000, "redelivery after the lease");
    await worker.stop();
    expect(seen[0]!.attempt).toBe(2);
    expect(seen[0]!.history).toEqual([expect.objectContaining({ attempt: 1, outcome: "lease-expired", error: expect.objectContaining({ name: "LeaseExpiredError" }) })]);
    // The first worker wakes up and tries to finish: its handle is stale, so it learns it lost the lease.
    const late = await lost!.complete().catch((e: unknown) => e);
    expect(late).toBeInstanceOf(LeaseLostError);
    expect((late as LeaseLostError).message).toMatch(/^job s-1 in queue work: could not complete; its SQS visibility timeout ran out/);
  });

  it("dead-letters after maxAttempts into the queue's sink and deletes the message", async () => {
    const job = defineJob({ name: "down", payload: z.object({}), maxAttempts: 2, retry: { minDelayMs: 1_000, jitter: false }, handler: () => { throw new Error("vendor unreachable") } });
    const dedupe = createMemoryDedupeStore();
    const { queue, fake, events, deadLetters, advance, sqsName } = await setup([job], { fifo, manualClock: true, dedupe });
    await queue.enqueue(job, {}, { jobId: "d-1", tenantId: "t-1" });
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "retrying"), 5_000, "the retry");
    await retryInPlace(fake, sqsName, fifo);
    advance(1_000);
    await waitFor(() => events.some((e) => e.type === "dead"), 5_000, "the dead letter");
    await worker.stop();
    const [letter, ...others] = await deadLetters.list();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ id: "job:work:d-1", kind: "job", tenantId: "t-1", attempts: 2, error: { name: "Error", message: "vendor unreachable" } });
    expect((letter!.payload as { metadata: { history: Array<{ attempt: number; outcome: string }> } }).metadata.history.map((h) => [h.attempt, h.outcome])).toEqual([
      [1, "failed"],
      [2, "failed"],
    ]);
    expect(fake.messages(sqsName)).toEqual([]);
    // Discarded ids are forgotten by the dedupe store (as SQLite deletes the row), so a re-drive can enqueue them.
    expect(await queue.redrive()).toEqual({ replayed: 1, failed: 0, failedIds: [] });
    expect(fake.messages(sqsName).map((m) => m.deduplicationId)).toEqual(fifo ? ["d-1#redrive2:2"] : [undefined]);
  });

  it("reports SQS's counts as waiting / delayed / active", async () => {
    const job = defineJob({ name: "idle", payload: z.object({}), handler: () => undefined });
    const { queue, backend } = await setup([job], { fifo, manualClock: true });
    await queue.enqueueMany([{ job, payload: {} }, { job, payload: {} }, { job, payload: {}, options: { delayMs: 60_000 } }]);
    let held = 0;
    // A consumer that holds its one delivery (and so its one slot) without finishing it.
    const consumer = backend.consume("work", { concurrency: 1, leaseMs: 30_000, onDelivery: () => ((held += 1), new Promise<void>(() => undefined)) });
    await waitFor(() => held === 1, 5_000, "one delivery");
    await consumer.stop();
    const stats = await queue.stats();
    // FIFO cannot delay one message: the delayed job is visible (and is hidden once received early).
    expect([stats.waiting, stats.delayed, stats.active, stats.retrying, stats.oldestWaitingAgeMs]).toEqual(fifo ? [2, 0, 1, 0, 0] : [1, 1, 1, 0, 0]);
  });
});

describe("delays", () => {
  it("standard: a delay up to 15 minutes is DelaySeconds, rounded up to whole seconds", async () => {
    const job = defineJob({ name: "later", payload: z.object({}), handler: () => undefined });
    const { queue, fake } = await setup([job], { manualClock: true });
    await queue.enqueue(job, {}, { delayMs: 1_500 });
    expect(fake.calls.find((c) => c.operation === "SendMessageBatch")!.body.Entries).toEqual([expect.objectContaining({ DelaySeconds: 2 })]);
    expect(fake.messages("work").map((m) => [m.state, m.availableAt])).toEqual([["delayed", T0 + 2_000]]);
  });

  it("standard: a longer delay waits out 15 minutes, is re-hidden until its time without running, then runs as attempt 1", async () => {
    const ran: number[] = [];
    const job = defineJob({ name: "tomorrow", payload: z.object({}), handler: (_p, ctx) => void ran.push(ctx.attempt) });
    const { queue, fake, events, advance } = await setup([job], { manualClock: true });
    await queue.enqueue(job, {}, { jobId: "t-1", delayMs: 3_600_000 });
    const [sent] = fake.messages("work");
    expect([sent!.state, sent!.availableAt, sent!.messageAttributes["connect.notBefore"]?.StringValue]).toEqual(["delayed", T0 + 900_000, String(T0 + 3_600_000)]);
    const worker = queue.work();
    advance(900_000);
    // Received 45 minutes early: hidden for the rest (one ChangeMessageVisibility), not run.
    await waitFor(() => fake.calls.some((c) => c.operation === "ChangeMessageVisibility"), 5_000, "the re-hide");
    expect(fake.calls.find((c) => c.operation === "ChangeMessageVisibility")!.body.VisibilityTimeout).toBe(2_700);
    expect(fake.messages("work").map((m) => [m.state, m.receiveCount, m.availableAt])).toEqual([["inflight", 1, T0 + 3_600_000]]);
    expect(ran).toEqual([]);
    advance(2_700_000);
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the run");
    await worker.stop();
    // The early receive was not an attempt: the job was re-sent fresh, then ran as attempt 1.
    expect(ran).toEqual([1]);
    expect(events.filter((e) => e.type === "started").map((e) => (e as { attempt: number }).attempt)).toEqual([1]);
    expect(fake.calls.filter((c) => c.operation === "SendMessage")).toHaveLength(1);
    expect(fake.messages("work")).toEqual([]);
  });

  it("standard: a delay past 12 h is re-hidden as often as needed (12 h at most each time, sqs.md §6)", async () => {
    const ran: number[] = [];
    const job = defineJob({ name: "next-day", payload: z.object({}), handler: (_p, ctx) => void ran.push(ctx.attempt) });
    const { queue, fake, events, advance } = await setup([job], { manualClock: true });
    await queue.enqueue(job, {}, { jobId: "n-1", delayMs: 26 * 3_600_000 });
    const worker = queue.work();
    const hides = (): unknown[] => fake.calls.filter((c) => c.operation === "ChangeMessageVisibility").map((c) => c.body.VisibilityTimeout);
    advance(900_000);
    await waitFor(() => hides().length === 1, 5_000, "the first re-hide");
    advance(43_140_000);
    await waitFor(() => hides().length === 2, 5_000, "the second re-hide");
    advance(43_140_000);
    await waitFor(() => hides().length === 3, 5_000, "the third re-hide");
    expect(hides()).toEqual([43_140, 43_140, 6_420]);
    expect(fake.messages("work").map((m) => m.receiveCount)).toEqual([3]);
    expect(ran).toEqual([]);
    advance(6_420_000);
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the run");
    await worker.stop();
    expect(ran).toEqual([1]);
  });

  it("FIFO: a delayed job is hidden until its time, then runs as attempt 1", async () => {
    const ran: Array<[number, number]> = [];
    const job = defineJob({ name: "soon", payload: z.object({}), handler: (_p, ctx) => void ran.push([ctx.attempt, Date.now()]) });
    const { queue, fake, events, advance, clock } = await setup([job], { fifo: true, manualClock: true });
    await queue.enqueue(job, {}, { jobId: "f-1", delayMs: 5_000 });
    const entry = (fake.calls.find((c) => c.operation === "SendMessageBatch")!.body.Entries as Array<Record<string, unknown>>)[0]!;
    expect(entry.DelaySeconds).toBeUndefined();
    const worker = queue.work();
    await waitFor(() => fake.messages("work.fifo")[0]?.state === "inflight" && fake.calls.some((c) => c.operation === "ChangeMessageVisibility"), 5_000, "the re-hide");
    expect(fake.messages("work.fifo")[0]!.availableAt).toBe(T0 + 5_000);
    expect(ran).toEqual([]);
    advance(5_000);
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the run");
    await worker.stop();
    expect(ran.map(([attempt]) => attempt)).toEqual([1]);
    expect(clock.now).toBe(T0 + 5_000);
  });
});

describe("dedupe on job id", () => {
  it("FIFO without a dedupe store: SQS drops the repeat for 5 minutes, but cannot say so (created stays true)", async () => {
    let runs = 0;
    const job = defineJob({ name: "once", payload: z.object({}), handler: () => void (runs += 1) });
    const { queue, fake, events } = await setup([job], { fifo: true, manualClock: true });
    const results = [await queue.enqueue(job, {}, { jobId: "same" }), await queue.enqueue(job, {}, { jobId: "same" })];
    expect(results.map((r) => r.created)).toEqual([true, true]);
    expect(fake.messages("work.fifo").map((m) => m.deduplicationId)).toEqual(["same"]);
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the run");
    await worker.stop();
    expect(runs).toBe(1);
  });

  it("FIFO with a dedupe store: the repeat is created: false, and stays so after completion", async () => {
    let runs = 0;
    const job = defineJob({ name: "once", payload: z.object({}), handler: () => void (runs += 1) });
    const { queue, fake, events } = await setup([job], { fifo: true, manualClock: true, dedupe: createMemoryDedupeStore({ now: () => T0 }) });
    const results = await Promise.all([queue.enqueue(job, {}, { jobId: "same" }), queue.enqueue(job, {}, { jobId: "same" })]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the run");
    expect((await queue.enqueue(job, {}, { jobId: "same" })).created).toBe(false);
    await worker.stop();
    expect(runs).toBe(1);
    expect(fake.calls.filter((c) => c.operation === "SendMessageBatch")).toHaveLength(1);
  });

  it("standard without a dedupe store stores every enqueue of an id (documented: SQS standard queues dedupe nothing)", async () => {
    const job = defineJob({ name: "twice", payload: z.object({}), handler: () => undefined });
    const { queue, fake } = await setup([job], { manualClock: true });
    await queue.enqueue(job, {}, { jobId: "same" });
    await queue.enqueue(job, {}, { jobId: "same" });
    expect(fake.messages("work")).toHaveLength(2);
  });
});

describe("FIFO groups", () => {
  it("runs one group's jobs one at a time in order, other groups alongside", async () => {
    const log: string[] = [];
    const job = defineJob({
      name: "step",
      payload: z.object({ label: z.string() }),
      handler: async ({ label }) => {
        log.push(`start ${label}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        log.push(`end ${label}`);
      },
    });
    const { queue, events } = await setup([job], { fifo: true });
    await queue.enqueueMany([
      { job, payload: { label: "a1" }, options: { tenantId: "a" } },
      { job, payload: { label: "a2" }, options: { tenantId: "a" } },
      { job, payload: { label: "b1" }, options: { tenantId: "b" } },
    ]);
    const worker = queue.work({ concurrency: 3 });
    await waitFor(() => events.filter((e) => e.type === "completed").length === 3, 5_000, "three completions");
    await worker.stop();
    const a = log.filter((l) => l.endsWith("a1") || l.endsWith("a2"));
    expect(a).toEqual(["start a1", "end a1", "start a2", "end a2"]);
    // b1 ran while a1 did.
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });
});

describe("release", () => {
  it("gives an unfinished job back as attempt - 1, so the next delivery has the same number", async () => {
    const job = defineJob({ name: "held", payload: z.object({}), handler: () => undefined });
    const { queue, backend, fake } = await setup([job], { manualClock: true });
    await queue.enqueue(job, {}, { jobId: "h-1" });
    let delivery: JobDelivery | undefined;
    const consumer = backend.consume("work", { concurrency: 1, leaseMs: 30_000, onDelivery: (d) => ((delivery = d), Promise.resolve()) });
    await waitFor(() => delivery !== undefined, 5_000, "a delivery");
    await consumer.stop();
    await delivery!.save({ ...delivery!.record!, metadata: { ...delivery!.record!.metadata, checkpoint: { page: 3 } } });
    await delivery!.release();
    const [back] = fake.messages("work");
    expect([back!.state, back!.messageAttributes["connect.attempts"]?.StringValue, JSON.parse(back!.body).metadata.checkpoint]).toEqual(["visible", "0", { page: 3 }]);
    expect(await delivery!.complete().catch((e: unknown) => (e as Error).name)).toBe("LeaseLostError");
  });
});

describe("foreign messages", () => {
  it("dead-letters a message that is not a job record verbatim, and deletes it", async () => {
    const job = defineJob({ name: "any", payload: z.object({}), handler: () => undefined });
    const { queue, url, server, fake, events, deadLetters } = await setup([job]);
    const other = new SQSClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1 });
    const { MessageId } = await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "<order id='7'/>" }));
    other.destroy();
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "dead"), 5_000, "the dead letter");
    await worker.stop();
    const [letter] = await deadLetters.list();
    expect(letter).toMatchObject({ id: `job:work:${MessageId}`, attempts: 1, payload: { raw: "<order id='7'/>" }, error: { name: "CorruptJobError" } });
    expect(fake.messages("work")).toEqual([]);
  });
});

describe("when SQS is down or refuses", () => {
  const job = defineJob({ name: "any", payload: z.object({ blob: z.string() }), handler: () => undefined });

  it("rejects the enqueue with a retryable StoreUnavailableError when nothing answers", async () => {
    const { queue, server } = await setup([job]);
    await server.close();
    const error = await queue.enqueue(job, { blob: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ component: "jobs", retryable: true, operation: "sqs.SendMessageBatch", status: undefined, vendorCode: "ECONNREFUSED" });
  });

  it("rejects with a retryable StoreUnavailableError on a 500, and a non-retryable one for a missing queue", async () => {
    const { queue, fake, server } = await setup([job]);
    fake.failNext("SendMessageBatch", "InternalFailure");
    const failure = await queue.enqueue(job, { blob: "x" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(failure).toMatchObject({ retryable: true, status: 500, vendorCode: "InternalFailure" });
    const elsewhere = createSqsBackend({
      client: { endpoint: server.url, region: "us-east-1", credentials, maxAttempts: 1 },
      queueUrls: { work: `${server.url}/000000000000/missing` },
      waitTimeSeconds: 1,
    });
    const missing = await elsewhere.enqueue([{ record: { header: { id: "x", name: "any", queue: "work", schemaVersion: 1, correlationId: "c", createdAt: new Date().toISOString(), idempotencyKey: "k" }, payload: {}, metadata: { source: "enqueue", history: [] } }, runAt: 0 }]).catch((e: unknown) => e);
    await elsewhere.close();
    expect(missing).toBeInstanceOf(StoreUnavailableError);
    expect(missing).toMatchObject({ retryable: false, status: 400, vendorCode: "QueueDoesNotExist" });
  });

  it("rejects when a 200 lists the message in Failed (a message over the queue's size limit)", async () => {
    const { queue, fake } = await setup([job], { queueAttributes: { MaximumMessageSize: "1024" } });
    const error = await queue.enqueue(job, { blob: "x".repeat(2_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ retryable: false, vendorCode: "InvalidParameterValue", vendorMessage: "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes." });
    expect(fake.messages("work")).toEqual([]);
  });

  it("stats reject with StoreUnavailableError too", async () => {
    const { queue, fake } = await setup([job]);
    fake.failNext("GetQueueAttributes", "ServiceUnavailable");
    const error = await queue.stats().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StoreUnavailableError", status: 503, retryable: true });
    expect((await queue.healthCheck()).status).toBe("healthy");
  });
});
