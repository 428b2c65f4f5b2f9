/**
 * The queue's own behaviours on the embedded backend: definitions and enqueue refusing bad input
 * before any I/O, a corrupt row dead-lettered verbatim, the database going away, several
 * processes sharing one file, the durable stores surviving a reopen, health beside the vendor
 * clients, metrics and spans, and dead-letter replay that enqueues.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHealth, createMemoryDeadLetterSink, StoreUnavailableError, ValidationError, type DeadLetter } from "@connect/core";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createJobQueue, createSqliteBackend, defineJob, replayDeadLettersToQueue, UnknownJobError, type JobBackend, type JobEvent } from "../src/index.js";
import { waitFor } from "./conformance.js";

const dirs: string[] = [];
function tempPath(name = "jobs.db"): string {
  const dir = mkdtempSync(join(tmpdir(), "connect-jobs-queue-"));
  dirs.push(dir);
  return join(dir, name);
}
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const noop = defineJob({ name: "noop", payload: z.object({ n: z.number() }), handler: () => undefined });

/** A backend that records whether anything reached it. */
function spying(backend: JobBackend): JobBackend & { calls: number } {
  const spy = Object.create(backend) as JobBackend & { calls: number };
  spy.calls = 0;
  spy.enqueue = (jobs) => ((spy.calls += 1), backend.enqueue(jobs));
  return spy;
}

describe("definitions and enqueue refuse bad input before any I/O", () => {
  it("a job name or setting that cannot work is a ValidationError at definition time", () => {
    expect(() => defineJob({ name: "has space", payload: z.object({}), handler: () => undefined })).toThrow(ValidationError);
    expect(() => defineJob({ name: "ok", payload: z.object({}), maxAttempts: 0, handler: () => undefined })).toThrow("maxAttempts must be a positive number (got 0)");
  });

  it("an unknown job, a payload that is not JSON, a credential field: typed errors, nothing stored", async () => {
    const backend = spying(createSqliteBackend({ path: ":memory:" }));
    const queue = createJobQueue({ backend, jobs: [noop] });
    const unknown = await queue.enqueue("retired", { n: 1 }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UnknownJobError);
    expect(unknown).toMatchObject({ jobName: "retired", queue: "default", retryable: false });
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    await expect(queue.enqueue(noop, cyclic)).rejects.toThrow("the payload cannot be stored as JSON");
    await expect(queue.enqueue(noop, { n: 1, password: "hunter22" })).rejects.toMatchObject({ name: "ValidationError", issues: [{ path: "password", message: "credentials are not stored in jobs", code: "custom" }] });
    await expect(queue.enqueue(noop, { n: 1 }, { runAt: Number.NaN })).rejects.toThrow("runAt is not a valid time");
    // One bad item refuses the whole batch before anything is stored.
    await expect(queue.enqueueMany([{ job: noop, payload: { n: 1 } }, { job: noop, payload: { n: "two" } }])).rejects.toBeInstanceOf(ValidationError);
    expect(backend.calls).toBe(0);
    await backend.close();
  });

  it("a queue without a durable dead-letter sink, a schedule with a bad pattern or zone: refused at creation", () => {
    const sinkless = { ...createSqliteBackend({ path: ":memory:" }), deadLetters: undefined };
    expect(() => createJobQueue({ backend: sinkless, jobs: [noop] })).toThrow("pass `deadLetters`");
    const backend = createSqliteBackend({ path: ":memory:" });
    expect(() => createJobQueue({ backend, jobs: [noop], schedules: [{ name: "s", job: noop, cron: "every day" }] })).toThrow(ValidationError);
    expect(() => createJobQueue({ backend, jobs: [noop], schedules: [{ name: "s", job: noop, cron: "0 2 * * *", timezone: "Mars/Olympus" }] })).toThrow(ValidationError);
  });
});

describe("the embedded backend", () => {
  it("dead-letters a row that is not a job record verbatim, and keeps working", async () => {
    const path = tempPath();
    const backend = createSqliteBackend({ path, pollMs: 10 });
    const queue = createJobQueue({ backend, jobs: [noop] });
    // What a half-written row or another program's insert looks like.
    const { DatabaseSync } = process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite");
    const raw = new DatabaseSync(path);
    raw.prepare("INSERT INTO connect_jobs (queue, id, name, state, available_at, attempts, record, created_at) VALUES ('default', 'bad-1', 'noop', 'waiting', 0, 0, '{\"header\":', 0)").run();
    raw.close();
    await queue.enqueue(noop, { n: 1 }, { jobId: "good-1" });
    const events: string[] = [];
    const watched = createJobQueue({ backend, jobs: [noop], onEvent: (e) => events.push(`${e.type}:${e.jobId}`) });
    const worker = watched.work();
    await waitFor(() => events.includes("completed:good-1") && events.some((e) => e.startsWith("dead:")), 5_000, "both");
    await worker.stop();
    const [letter] = await queue.deadLetters.list();
    expect(letter).toMatchObject({ kind: "job", operation: "unknown", payload: { raw: '{"header":' }, error: { name: "CorruptJobError", retryable: false } });
    await backend.close();
  });

  it("an enqueue the database cannot take rejects with StoreUnavailableError (and a webhook inbox would answer 503)", async () => {
    const backend = createSqliteBackend({ path: tempPath() });
    const queue = createJobQueue({ backend, jobs: [noop] });
    await backend.close();
    const error = await queue.enqueue(noop, { n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ component: "jobs", retryable: true });
    const unopenable = (() => {
      try {
        createSqliteBackend({ path: join(tempPath(), "no-such-dir", "jobs.db") });
      } catch (e) {
        return e;
      }
    })();
    expect(unopenable).toBeInstanceOf(StoreUnavailableError);
    expect((unopenable as Error).message).toContain("could not be opened");
  });

  it("another process enqueueing into the same file is seen by this process's worker", async () => {
    const path = tempPath();
    const script = join(tempPath("producer.mjs"), "..", "producer.mjs");
    const jobsEntry = new URL("../dist/index.js", import.meta.url).href;
    const zodEntry = import.meta.resolve("zod");
    writeFileSync(
      script,
      `import { createJobQueue, createSqliteBackend, defineJob } from ${JSON.stringify(jobsEntry)};
       import { z } from ${JSON.stringify(zodEntry)};
       const backend = createSqliteBackend({ path: process.argv[2] });
       const queue = createJobQueue({ backend, jobs: [defineJob({ name: "noop", payload: z.object({ n: z.number() }), handler: () => undefined })] });
       await queue.enqueueMany(Array.from({ length: 20 }, (_, n) => ({ job: "noop", payload: { n }, options: { jobId: "from-child-" + n } })));
       await backend.close();`,
    );
    const backend = createSqliteBackend({ path, pollMs: 20 });
    const seen: number[] = [];
    const queue = createJobQueue({ backend, jobs: [defineJob({ name: "noop", payload: z.object({ n: z.number() }), handler: ({ n }) => void seen.push(n) })] });
    const worker = queue.work({ concurrency: 4 });
    const child = fork(script, [path], { execPath: process.execPath, stdio: "inherit" });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    await waitFor(() => seen.length === 20, 5_000, "the child's jobs");
    await worker.stop();
    await backend.close();
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it("dead letters, idempotency keys and dedupe marks survive closing and reopening the file", async () => {
    const path = tempPath();
    const first = createSqliteBackend({ path });
    await first.deadLetters.put({ id: "l-1", kind: "call", adapterId: "twilio", operation: "messages.send", correlationId: "c", payload: { to: "+1", authToken: "tok_secret_123" }, error: { name: "ServerError" }, attempts: 3, firstAttemptAt: "2026-12-07T00:00:00.000Z", lastAttemptAt: "2026-12-07T00:00:01.000Z" });
    expect(await first.idempotencyStore.begin("twilio:messages.send:k1")).toEqual({ state: "new" });
    expect(await first.idempotencyStore.begin("twilio:messages.send:k2")).toEqual({ state: "new" });
    await first.idempotencyStore.complete("twilio:messages.send:k2", { sid: "SM1" });
    expect(await first.dedupeStore.seen("sendgrid:evt-1", 60_000)).toBe(false);
    await first.close();
    const second = createSqliteBackend({ path });
    expect((await second.deadLetters.list()).map((l) => [l.id, (l.payload as { authToken: string }).authToken])).toEqual([["l-1", "[REDACTED]"]]);
    // The claim of a process that died is still there: a resumed write can see it.
    expect(await second.idempotencyStore.begin("twilio:messages.send:k1")).toEqual({ state: "in-flight" });
    expect(await second.idempotencyStore.begin("twilio:messages.send:k2")).toEqual({ state: "done", result: { sid: "SM1" } });
    await second.idempotencyStore.abandon!("twilio:messages.send:k1");
    expect(await second.idempotencyStore.begin("twilio:messages.send:k1")).toEqual({ state: "new" });
    expect(await second.dedupeStore.seen("sendgrid:evt-1", 60_000)).toBe(true);
    await second.close();
  });
});

describe("health, metrics and spans", () => {
  it("sits in checkHealth beside the vendor clients: healthy, then degraded by a backlog, unhealthy when the database is gone", async () => {
    let now = Date.parse("2026-12-07T10:00:00.000Z");
    const backend = createSqliteBackend({ path: tempPath(), now: () => now });
    const queue = createJobQueue({ backend, jobs: [noop], now: () => now, degradedAfterMs: 30_000 });
    expect((await checkHealth([queue])).status).toBe("healthy");
    await queue.enqueue(noop, { n: 1 });
    now += 45_000;
    const degraded = await checkHealth([queue]);
    expect(degraded.status).toBe("degraded");
    expect(degraded.adapters["jobs:default"]).toMatchObject({ status: "degraded", stats: { waiting: 1, oldestWaitingAgeMs: 45_000 } });
    await backend.close();
    expect((await checkHealth([queue])).adapters["jobs:default"]).toMatchObject({ status: "unhealthy", error: expect.stringContaining("could not be read") });
  });

  it("reports depth by state, outcomes and durations as OTel metrics, and one CONSUMER span per attempt", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const backend = createSqliteBackend({ path: ":memory:", pollMs: 10 });
    let fail = true;
    const flaky = defineJob({ name: "flaky", payload: z.object({}), retry: { minDelayMs: 10, jitter: false }, handler: () => { if (fail) { fail = false; throw new Error("once") } } });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend, jobs: [noop, flaky], telemetry: { meterProvider, tracerProvider }, onEvent: (e) => events.push(e) });
    await queue.enqueueMany([{ job: noop, payload: { n: 1 }, options: { delayMs: 60_000 } }, { job: flaky, payload: {}, options: { jobId: "f-1", tenantId: "t-1" } }]);
    const worker = queue.work();
    await waitFor(() => events.some((e) => e.type === "completed"), 5_000, "the flaky job");
    await worker.stop();
    await reader.forceFlush();
    const metrics = new Map(exporter.getMetrics().at(-1)!.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }))]));
    expect(metrics.get("connect.jobs.depth")).toEqual(expect.arrayContaining([{ attributes: { "connect.queue": "default", "connect.jobs.state": "delayed" }, value: 1 }, { attributes: { "connect.queue": "default", "connect.jobs.state": "waiting" }, value: 0 }]));
    expect(metrics.get("connect.jobs.processed")).toEqual(
      expect.arrayContaining([
        { attributes: { "connect.queue": "default", "connect.job.name": "flaky", outcome: "retrying" }, value: 1 },
        { attributes: { "connect.queue": "default", "connect.job.name": "flaky", outcome: "completed" }, value: 1 },
      ]),
    );
    const finished = spans.getFinishedSpans().filter((s) => s.name === "jobs.flaky");
    expect(finished.map((s) => [s.attributes["connect.job.attempt"], s.status.code])).toEqual([[1, 2], [2, 1]]);
    expect(finished[0]!.attributes).toMatchObject({ "messaging.system": "connect.sqlite", "messaging.destination.name": "default", "messaging.message.id": "f-1", "connect.tenant_id": "t-1" });
    await backend.close();
  });
});

describe("replayDeadLettersToQueue", () => {
  it("turns call letters into jobs once, removes each only after its job is stored, and leaves letters it has no route for", async () => {
    const backend = createSqliteBackend({ path: ":memory:" });
    const sent: Array<{ to: string; key: string }> = [];
    const sms = defineJob({ name: "sms", payload: z.object({ to: z.string(), body: z.string() }), handler: ({ to }, ctx) => void sent.push({ to, key: ctx.idempotencyKey }) });
    const queue = createJobQueue({ backend, jobs: [sms] });
    const sink = createMemoryDeadLetterSink();
    const letter = (id: string, adapterId: string, payload: unknown): DeadLetter => ({ id, kind: "call", adapterId, operation: "messages.send", correlationId: `c-${id}`, payload, error: { name: "CircuitOpenError" }, attempts: 1, firstAttemptAt: "2026-12-07T00:00:00.000Z", lastAttemptAt: "2026-12-07T00:00:00.000Z" });
    await sink.put(letter("a", "twilio", { to: "+14155550100", body: "Draw approved" }));
    await sink.put(letter("b", "sendgrid", { to: "x@example.com" }));
    const route = (l: DeadLetter) => (l.adapterId === "twilio" ? { job: sms, payload: l.payload } : undefined);
    expect(await replayDeadLettersToQueue(sink, queue, { route })).toEqual({ replayed: 1, failed: 0, failedIds: [], skipped: 1 });
    expect((await sink.list()).map((l) => l.id)).toEqual(["b"]);
    // Nothing ran inline: the work is on the queue.
    expect(sent).toEqual([]);
    expect((await queue.stats()).waiting).toBe(1);
    const worker = queue.work();
    await waitFor(() => sent.length === 1, 5_000, "the replayed job");
    await worker.stop();
    expect(sent).toEqual([{ to: "+14155550100", key: "replay_a" }]);
    await backend.close();
  });
});
