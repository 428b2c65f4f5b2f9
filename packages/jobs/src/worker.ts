/**
 * The worker: the one place that decides what happens to a delivered job, for every backend.
 *
 *   record readable? → definition known? → attempts left? → payload valid?
 *     → handler (lease renewed while it runs, timeout, shutdown signal)
 *       → complete | retry at now + backoff (Retry-After honoured) | dead letter, then discard
 *
 * A poisoned job (unreadable, unknown name, bad payload, permanent error, attempts exhausted —
 * including attempts whose worker died) goes to the dead letters at once instead of looping.
 * Nothing is removed from the backend before its dead letter is stored.
 */
import { randomUUID } from "node:crypto";
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link } from "@opentelemetry/api";
import { CircuitOpenError, IntegrationError, parseUntrusted, ValidationError, type DeadLetter } from "@connect/core";
import type { JobConsumer, JobDelivery } from "./backend.js";
import { backoffDelay, type JobContext, type JobDefinition } from "./define.js";
import { CorruptJobError, JobTimeoutError, LeaseExpiredError, LeaseLostError, UnknownJobError } from "./errors.js";
import { errorJson, type JobAttempt, type JobRecord } from "./record.js";
import type { QueueInternals } from "./queue.js";

/** Options of {@link JobQueue.work}. @public */
export interface WorkOptions {
  /** Jobs run at once (default 4). */
  concurrency?: number | undefined;
  /** How long {@link JobWorker.stop} waits for running jobs before aborting and releasing them (default 10 000 ms). */
  shutdownDeadlineMs?: number | undefined;
}

/** What {@link JobWorker.stop} did. @public */
export interface StopResult {
  /** Jobs that finished (any outcome) during the shutdown. */
  finished: number;
  /** Jobs still running at the deadline, aborted and given back to the queue. */
  released: number;
}

/** A running worker. @public */
export interface JobWorker {
  /** Jobs running now. */
  readonly running: number;
  /** Stop taking work; finish running jobs within the deadline, release the rest. */
  stop(options?: { deadlineMs?: number | undefined }): Promise<StopResult>;
}

/** One event of a job's life, for hosts (metrics, audit) and tests. @public */
export type JobEvent =
  | { type: "enqueued"; queue: string; jobId: string; name: string; created: boolean; runAt: string }
  | { type: "started"; queue: string; jobId: string; name: string; attempt: number; resumed: boolean }
  | { type: "completed"; queue: string; jobId: string; name: string; attempt: number; durationMs: number }
  | { type: "retrying"; queue: string; jobId: string; name: string; attempt: number; retryAt: string; error: Record<string, unknown> }
  | { type: "dead"; queue: string; jobId: string; name: string; attempt: number; error: Record<string, unknown> }
  | { type: "released"; queue: string; jobId: string; name: string; attempt: number }
  | { type: "lease-lost"; queue: string; jobId: string; name: string; attempt: number };

class ShutdownAbort extends Error {
  override name = "ShutdownAbort";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether the queue should try a failed job again (the call-level retries have already run inside the attempt). */
function shouldRetry(error: unknown): boolean {
  if (error instanceof CircuitOpenError) return true; // an open breaker is an outage to wait out, not a verdict
  if (IntegrationError.is(error)) return error.retryable;
  return true; // a plain Error from host code: retried, and dead-lettered if it keeps failing
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

function mayHaveReachedVendor(error: unknown): boolean {
  return IntegrationError.is(error) ? error.mayHaveReachedVendor : true;
}

/** Start a worker on a queue. @internal */
export function startWorker(q: QueueInternals, options: WorkOptions = {}): JobWorker {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const defaultDeadline = options.shutdownDeadlineMs ?? 10_000;
  // Jobs are taken under the shortest lease of the queue's jobs, so one whose worker dies comes back
  // after its own lease; a job with a longer one is extended to it on its first heartbeat.
  const leaseMs = Math.max(Math.min(...[...q.definitions.values()].map((d) => d.leaseMs)), 1_000);
  const running = new Map<JobDelivery, { controller: AbortController; done: Promise<void> }>();
  let stopping = false;

  const consumer: JobConsumer = q.backend.consume(q.name, {
    concurrency,
    leaseMs,
    onError: (error) => q.logger.error({ queue: q.name, backend: q.backend.kind, error: messageOf(error) }, "job queue fetch failed; retrying"),
    onDelivery: (delivery) => {
      const controller = new AbortController();
      const done = runDelivery(q, delivery, controller, leaseMs).catch((error: unknown) => {
        q.logger.error({ queue: q.name, deliveryId: delivery.deliveryId, error: messageOf(error) }, "job delivery failed unexpectedly; its lease will run out and it will be retried");
      });
      running.set(delivery, { controller, done });
      return done.finally(() => running.delete(delivery));
    },
  });
  q.onWorkerStarted();

  return {
    get running() {
      return running.size;
    },
    async stop(stopOptions = {}) {
      if (stopping) return { finished: 0, released: 0 };
      stopping = true;
      await consumer.stop();
      const deadlineMs = stopOptions.deadlineMs ?? defaultDeadline;
      const inFlight = [...running.entries()];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([Promise.all(inFlight.map(([, r]) => r.done)), deadline]);
      clearTimeout(timer);
      const unfinished = inFlight.filter(([delivery]) => running.has(delivery));
      const finished = inFlight.length - unfinished.length;
      let released = 0;
      for (const [delivery, r] of unfinished) {
        r.controller.abort(new ShutdownAbort("worker shutting down"));
        try {
          await delivery.release();
          released += 1;
          const name = delivery.record?.header.name ?? "unknown";
          q.emit({ type: "released", queue: q.name, jobId: delivery.record?.header.id ?? delivery.deliveryId, name, attempt: delivery.attempt });
        } catch (error) {
          q.logger.warn({ queue: q.name, deliveryId: delivery.deliveryId, error: messageOf(error) }, "could not release a job at shutdown; its lease will run out");
        }
      }
      return { finished, released };
    },
  };
}

async function runDelivery(q: QueueInternals, delivery: JobDelivery, controller: AbortController, takenLeaseMs: number): Promise<void> {
  const record = delivery.record;
  if (!record) {
    const error = new CorruptJobError(`queue ${q.name}: a stored job could not be read as a job record; it was moved to the dead letters verbatim`, { queue: q.name, jobId: delivery.deliveryId });
    await deadLetter(q, delivery, undefined, error, [], delivery.raw);
    return;
  }
  const { header } = record;
  const definition = q.definitions.get(header.name);
  const history = [...record.metadata.history];
  const nowIso = (): string => new Date(q.now()).toISOString();

  // Deliveries between the last recorded outcome and this one ended without an outcome: their
  // worker died, was killed or hung. They count as attempts, and they may have reached a vendor.
  const lastRecorded = record.metadata.lastAttempt ?? 0;
  const lost = Math.max(0, delivery.attempt - 1 - lastRecorded);
  for (let n = lastRecorded + 1; n < delivery.attempt; n += 1) {
    history.push({
      attempt: n,
      endedAt: nowIso(),
      outcome: "lease-expired",
      error: errorJson(new LeaseExpiredError(`attempt ${n} of job ${header.id} ended without an outcome (its worker stopped renewing the lease)`, { queue: q.name, jobId: header.id })),
    });
  }
  const previous = history.at(-1);
  const resumed = lost > 0 || (previous?.mayHaveReachedVendor ?? false);

  if (!definition) {
    const error = new UnknownJobError(`queue ${q.name} has no job named ${JSON.stringify(header.name)}; job ${header.id} was moved to the dead letters`, { queue: q.name, jobId: header.id, jobName: header.name });
    await deadLetter(q, delivery, record, error, history);
    return;
  }
  if (delivery.attempt > definition.maxAttempts) {
    const error = new LeaseExpiredError(
      `job ${header.id} (${header.name}) used its ${definition.maxAttempts} attempts; the last ${lost === 1 ? "one" : `${lost}`} ended without an outcome (the worker died or hung)`,
      { queue: q.name, jobId: header.id, attempts: delivery.attempt - 1 },
    );
    await deadLetter(q, delivery, record, error, history);
    return;
  }
  const parsed = parseUntrusted(definition.payload, record.payload);
  if (!parsed.success) {
    const error = new ValidationError(`job ${header.id} (${header.name}): the stored payload does not match the job's schema; moved to the dead letters`, {
      vendor: "jobs",
      operation: header.name,
      issues: parsed.issues,
    });
    await deadLetter(q, delivery, record, error, history);
    return;
  }
  if (record.metadata.schedule) await q.scheduleFollowing(record.metadata.schedule);

  const startedAt = q.now();
  const attempt = delivery.attempt;
  q.emit({ type: "started", queue: q.name, jobId: header.id, name: header.name, attempt, resumed });
  const leaseMs = definition.leaseMs;
  let leaseLost: LeaseLostError | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let beating = true;
  // The first renewal comes a third into the lease the job was taken under, the next ones a third into its own.
  const beat = (inMs: number): void => {
    if (!beating) return;
    heartbeat = setTimeout(() => {
      delivery.extend(leaseMs).then(
        () => beat(Math.floor(leaseMs / 3)),
        (error: unknown) => {
          if (error instanceof LeaseLostError) {
            leaseLost = error;
            controller.abort(error);
            return;
          }
          q.logger.warn({ queue: q.name, jobId: header.id, error: messageOf(error) }, "job lease renewal failed; trying again");
          beat(Math.floor(Math.min(leaseMs, takenLeaseMs) / 6));
        },
      );
    }, Math.max(50, inMs));
    heartbeat.unref?.();
  };
  beat(Math.floor(Math.min(leaseMs, takenLeaseMs) / 3));
  const timeout = setTimeout(
    () => controller.abort(new JobTimeoutError(`job ${header.id} (${header.name}) ran past its timeout of ${definition.timeoutMs} ms`, { queue: q.name, jobId: header.id, timeoutMs: definition.timeoutMs })),
    definition.timeoutMs,
  );
  timeout.unref?.();

  let current: JobRecord = record;
  const logger = q.childLogger({ queue: q.name, jobId: header.id, job: header.name, attempt, correlationId: header.correlationId });
  const ctx: JobContext = {
    jobId: header.id,
    name: header.name,
    queue: q.name,
    attempt,
    maxAttempts: definition.maxAttempts,
    correlationId: header.correlationId,
    tenantId: header.tenantId,
    idempotencyKey: header.idempotencyKey,
    signal: controller.signal,
    resumed,
    source: record.metadata.source,
    createdAt: header.createdAt,
    history,
    metadata: { jobId: header.id, job: header.name, attempt },
    get checkpoint() {
      return current.metadata.checkpoint;
    },
    async saveCheckpoint(value: unknown) {
      const next: JobRecord = { ...current, metadata: { ...current.metadata, checkpoint: JSON.parse(JSON.stringify(value ?? null)) as unknown } };
      await delivery.save(next);
      current = next;
    },
    keyFor: (step: string) => `${header.idempotencyKey}:${step}`,
    logger,
    // Follow-ups carry the job's tenant and correlation id unless told otherwise.
    enqueue: (job, payload, options) => q.enqueue(job, payload, { tenantId: header.tenantId, correlationId: header.correlationId, ...options }),
  };

  const span = q.tracer.startSpan(`jobs.${header.name}`, { kind: SpanKind.CONSUMER });
  // Without a tracer provider (or when not sampled) the span records nothing: skip building its
  // attributes and making it the active span, which would cost more than the rest of the job.
  const recording = span.isRecording();
  if (recording) {
    span.setAttributes({
      "messaging.system": `connect.${q.backend.kind}`,
      "messaging.destination.name": q.name,
      "messaging.message.id": header.id,
      "connect.job.name": header.name,
      "connect.job.attempt": attempt,
      "connect.correlation_id": header.correlationId,
      ...(header.tenantId ? { "connect.tenant_id": header.tenantId } : {}),
    });
    span.addLinks(linksOf(record));
  }
  try {
    try {
      if (recording) await otelContext.with(trace.setSpan(otelContext.active(), span), () => runHandler(definition, parsed.data, ctx, controller.signal));
      else await runHandler(definition, parsed.data, ctx, controller.signal);
    } finally {
      beating = false;
      clearTimeout(heartbeat);
      clearTimeout(timeout);
    }
    if (controller.signal.reason instanceof ShutdownAbort) return; // released by stop(); its outcome no longer counts
    await delivery.complete();
    span.setStatus({ code: SpanStatusCode.OK });
    const durationMs = q.now() - startedAt;
    q.recordOutcome(header.name, "completed", durationMs);
    q.emit({ type: "completed", queue: q.name, jobId: header.id, name: header.name, attempt, durationMs });
  } catch (caught) {
    const error: unknown = leaseLost ?? (controller.signal.aborted && !(controller.signal.reason instanceof ShutdownAbort) ? controller.signal.reason : caught);
    span.recordException({ name: (error as Error)?.name ?? "Error", message: messageOf(error) });
    span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
    if (controller.signal.reason instanceof ShutdownAbort) return;
    if (error instanceof LeaseLostError) {
      logger.warn({ error: messageOf(error) }, "job lease lost while its handler ran; another worker may run it again");
      q.emit({ type: "lease-lost", queue: q.name, jobId: header.id, name: header.name, attempt });
      return;
    }
    await failed(q, delivery, current, definition, history, error, startedAt);
  } finally {
    span.end();
  }
}

async function runHandler(definition: JobDefinition, payload: unknown, ctx: JobContext, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason;
  // The handler gets the signal; a handler that ignores it is still cut off here, so a hung
  // call cannot hold a concurrency slot (or the lease) forever.
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve()
      .then(() => definition.handler(payload as never, ctx))
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function linksOf(record: JobRecord): Link[] {
  const traceparent = record.metadata.traceparent;
  if (!traceparent) return [];
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  return spanContext ? [{ context: spanContext }] : [];
}

async function failed(
  q: QueueInternals,
  delivery: JobDelivery,
  record: JobRecord,
  definition: JobDefinition,
  history: JobAttempt[],
  error: unknown,
  startedAt: number,
): Promise<void> {
  const attempt = delivery.attempt;
  const entry: JobAttempt = {
    attempt,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(q.now()).toISOString(),
    outcome: "failed",
    error: errorJson(error),
    mayHaveReachedVendor: mayHaveReachedVendor(error),
  };
  const nextHistory = [...history, entry];
  if (!shouldRetry(error) || attempt >= definition.maxAttempts) {
    await deadLetter(q, delivery, record, error, nextHistory);
    return;
  }
  const delay = Math.max(backoffDelay(attempt, definition.retry, q.random), retryAfterOf(error) ?? 0);
  const runAt = q.now() + delay;
  entry.retryAt = new Date(runAt).toISOString();
  const next: JobRecord = { ...record, metadata: { ...record.metadata, history: nextHistory, lastAttempt: attempt } };
  await delivery.retry(runAt, next);
  q.recordOutcome(definition.name, "retrying", q.now() - startedAt);
  q.logger.warn({ queue: q.name, jobId: record.header.id, job: record.header.name, attempt, retryAt: entry.retryAt, error: entry.error }, "job failed; retrying later");
  q.emit({ type: "retrying", queue: q.name, jobId: record.header.id, name: record.header.name, attempt, retryAt: entry.retryAt, error: entry.error });
}

/** Store the dead letter, then remove the job; if the sink fails, the job stays (its retry is scheduled). */
async function deadLetter(q: QueueInternals, delivery: JobDelivery, record: JobRecord | undefined, error: unknown, history: JobAttempt[], raw?: string): Promise<void> {
  const jobId = record?.header.id ?? delivery.deliveryId;
  const name = record?.header.name ?? "unknown";
  const nowIso = new Date(q.now()).toISOString();
  const final = errorJson(error);
  if (IntegrationError.is(error)) error.attempts ??= delivery.attempt;
  const stored: JobRecord | { raw: string } = record ? { ...record, metadata: { ...record.metadata, history, lastAttempt: delivery.attempt } } : { raw: raw ?? delivery.raw };
  const letter: DeadLetter = {
    id: `job:${q.name}:${jobId}`,
    kind: "job",
    adapterId: `jobs:${q.name}`,
    operation: name,
    correlationId: record?.header.correlationId ?? randomUUID(),
    tenantId: record?.header.tenantId,
    payload: stored,
    error: final,
    attempts: delivery.attempt,
    firstAttemptAt: history[0]?.startedAt ?? history[0]?.endedAt ?? record?.header.createdAt ?? nowIso,
    lastAttemptAt: nowIso,
  };
  try {
    await q.deadLetters.put(letter);
  } catch (sinkError) {
    // Nothing is lost: keep the job and try again later (the dead letter is put on a later delivery).
    q.logger.error({ queue: q.name, jobId, error: messageOf(sinkError) }, "dead-letter sink failed; the job is kept and retried");
    if (record) await delivery.retry(q.now() + 30_000, { ...record, metadata: { ...record.metadata, history, lastAttempt: delivery.attempt } }).catch(() => undefined);
    return;
  }
  await delivery.discard();
  q.recordOutcome(name, "dead", 0);
  q.logger.error({ queue: q.name, jobId, job: name, attempts: delivery.attempt, error: final }, "job moved to the dead letters");
  q.emit({ type: "dead", queue: q.name, jobId, name, attempt: delivery.attempt, error: final });
}
