/**
 * A job queue: typed enqueue (validated before anything is stored), workers, schedules,
 * re-drive from the dead letters, and health and metrics — on any {@link JobBackend}.
 */
import { randomUUID } from "node:crypto";
import { context as otelContext, metrics, propagation, trace, type Counter, type Histogram, type Tracer } from "@opentelemetry/api";
import {
  isSensitiveKey,
  noopLogger,
  parseUntrusted,
  redactValue,
  ValidationError,
  type DeadLetterSink,
  type HealthResult,
  type Logger,
  type ReplayResult,
  type TelemetryOptions,
} from "@connect/core";
import type { JobBackend } from "./backend.js";
import type { EnqueueOptions, EnqueueResult, JobDefinition, JobPayload } from "./define.js";
import { UnknownJobError } from "./errors.js";
import type { JobRecord, JobSource } from "./record.js";
import { compileSchedule, occurrenceId, type CompiledSchedule, type JobSchedule } from "./schedule.js";
import { startWorker, type JobEvent, type JobWorker, type WorkOptions } from "./worker.js";

import pkg from "../package.json" with { type: "json" };

const VERSION: string = pkg.version;

/** One job of {@link JobQueue.enqueueMany}. @public */
export interface EnqueueItem<D extends JobDefinition = JobDefinition> {
  job: D | string;
  payload: JobPayload<D> | unknown;
  options?: EnqueueOptions | undefined;
}

/** Counts of a queue, for health and dashboards. @public */
export interface QueueStats {
  /** Queue name. */
  queue: string;
  /** Backend kind. */
  backend: string;
  /** Ready now. */
  waiting: number;
  /** Scheduled for later (delays, retry backoff, schedules). */
  delayed: number;
  /** Leased to a worker now. */
  active: number;
  /** Of waiting + delayed, those that failed before. */
  retrying: number;
  /** Dead letters of this queue. */
  dead: number;
  /** Age of the oldest ready job not yet taken (ms), 0 when none waits. */
  oldestWaitingAgeMs: number;
}

/** Health of a queue: the shape `checkHealth` takes, with the counts. @public */
export interface QueueHealth extends HealthResult {
  stats?: QueueStats | undefined;
}

/** Options of {@link createJobQueue}. @public */
export interface JobQueueOptions {
  /** Queue name (default `default`); several queues can share one backend. */
  name?: string | undefined;
  /** The queue engine: `createSqliteBackend`, `createBullMqBackend`, `createSqsBackend`. */
  backend: JobBackend;
  /** The jobs this queue runs. */
  jobs: JobDefinition[];
  /** Recurring jobs. */
  schedules?: JobSchedule[] | undefined;
  /** Where exhausted and poisoned jobs go (default: the backend's own durable sink). */
  deadLetters?: DeadLetterSink | undefined;
  /** Structured logger (no-op by default); lines are redacted. */
  logger?: Logger | undefined;
  /** Tracer and meter providers (the global ones by default). */
  telemetry?: Omit<TelemetryOptions, "logger"> | undefined;
  /** Every job event, for metrics, audit and tests. */
  onEvent?: ((event: JobEvent) => void) | undefined;
  /** Health turns `degraded` when the oldest ready job has waited longer than this (default 60 000 ms). */
  degradedAfterMs?: number | undefined;
  /** Clock (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: (() => number) | undefined;
}

/** Options of {@link JobQueue.redrive}. @public */
export interface RedriveOptions {
  /** Only letters of this job name. */
  name?: string | undefined;
  /** Only letters of this tenant. */
  tenantId?: string | undefined;
  /** Only the letter of this job id. */
  jobId?: string | undefined;
}

/** A durable job queue. @public */
export interface JobQueue {
  /** Queue name. */
  readonly name: string;
  /** `jobs:<name>`, so the queue can sit in `checkHealth([...])` beside the vendor clients. */
  readonly id: string;
  /** This package's version. */
  readonly version: string;
  /** The engine. */
  readonly backend: JobBackend;
  /** The dead-letter sink in use. */
  readonly deadLetters: DeadLetterSink;
  /** Validate the payload (no I/O on failure), then store the job; resolves once it is durable. */
  enqueue<D extends JobDefinition>(job: D | string, payload: JobPayload<D> | unknown, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Several jobs in one write; every payload is validated before any is stored. */
  enqueueMany(items: EnqueueItem[]): Promise<EnqueueResult[]>;
  /** Start a worker (it also keeps the schedules' next occurrences enqueued). */
  work(options?: WorkOptions): JobWorker;
  /** Enqueue the next occurrence of every schedule (done by `work()`; for processes that only schedule). */
  startSchedules(): Promise<void>;
  /** Put this queue's dead letters back on the queue (attempts reset, history kept); letters that fail to enqueue stay. */
  redrive(options?: RedriveOptions): Promise<ReplayResult>;
  /** Counts: depth, oldest waiting age, retrying, dead. */
  stats(): Promise<QueueStats>;
  /** Healthy, degraded (a backlog older than `degradedAfterMs`, or dead letters) or unhealthy (the backend does not answer). */
  healthCheck(): Promise<QueueHealth>;
  /** Stop this queue's workers (each within its shutdown deadline). The backend stays open. */
  close(): Promise<void>;
}

/** What the worker needs from its queue. @internal */
export interface QueueInternals {
  readonly name: string;
  enqueue(job: JobDefinition | string, payload: unknown, options?: EnqueueOptions): Promise<EnqueueResult>;
  readonly backend: JobBackend;
  readonly definitions: ReadonlyMap<string, JobDefinition>;
  readonly deadLetters: DeadLetterSink;
  readonly logger: Logger;
  readonly tracer: Tracer;
  now(): number;
  random(): number;
  emit(event: JobEvent): void;
  childLogger(fields: Record<string, unknown>): Logger;
  recordOutcome(name: string, outcome: "completed" | "retrying" | "dead", durationMs: number): void;
  scheduleFollowing(occurrence: { name: string; fireAt: string }): Promise<void>;
  onWorkerStarted(): void;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

function redactingLogger(logger: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void =>
      logger[level](redactValue(obj), msg);
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}

function bind(logger: Logger, fields: Record<string, unknown>): Logger {
  if (logger === noopLogger) return logger;
  const wrap =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void =>
      logger[level]({ ...fields, ...obj }, msg);
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}

/** Paths of payload fields whose names mark credentials (a payload is stored durably, so none may hold one). */
function credentialFields(value: unknown, path = "", depth = 0, found: string[] = []): string[] {
  if (depth > 16 || value === null || typeof value !== "object") return found;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (isSensitiveKey(key) && inner !== undefined && inner !== null && inner !== "") found.push(here);
    else credentialFields(inner, here, depth + 1, found);
  }
  return found;
}

function toTime(value: Date | number): number {
  return value instanceof Date ? value.getTime() : value;
}

/**
 * Create a job queue on a backend.
 * @example
 * const backend = createSqliteBackend({ path: "./var/connect-jobs.db" });
 * const queue = createJobQueue({ backend, jobs: [sendReminder] });
 * await queue.enqueue(sendReminder, { to: "+15551234567", body: "Draw approved" }, { jobId: `reminder:${loanId}` });
 * const worker = queue.work({ concurrency: 4 });
 * process.on("SIGTERM", () => worker.stop());
 * @public
 */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const name = options.name ?? "default";
  if (!QUEUE_NAME.test(name)) {
    throw new ValidationError(`queue name ${JSON.stringify(name)} must be 1–80 letters, digits, '_' or '-'`, {
      vendor: "jobs",
      issues: [{ path: "name", message: "invalid queue name", code: "invalid_format" }],
    });
  }
  const backend = options.backend;
  const deadLetters = options.deadLetters ?? backend.deadLetters;
  if (!deadLetters) {
    throw new ValidationError(`queue ${name}: the ${backend.kind} backend has no dead-letter sink of its own; pass \`deadLetters\` (exhausted jobs must go somewhere durable)`, {
      vendor: "jobs",
      issues: [{ path: "deadLetters", message: "required for this backend", code: "invalid_type" }],
    });
  }
  const definitions = new Map<string, JobDefinition>();
  for (const definition of options.jobs) {
    if (definitions.has(definition.name)) {
      throw new ValidationError(`queue ${name}: two jobs are named ${definition.name}`, { vendor: "jobs", issues: [{ path: "jobs", message: `duplicate job name ${definition.name}`, code: "custom" }] });
    }
    definitions.set(definition.name, definition);
  }
  const schedules = new Map<string, CompiledSchedule>();
  for (const schedule of options.schedules ?? []) {
    if (schedules.has(schedule.name)) {
      throw new ValidationError(`queue ${name}: two schedules are named ${schedule.name}`, { vendor: "jobs", issues: [{ path: "schedules", message: `duplicate schedule ${schedule.name}`, code: "custom" }] });
    }
    if (definitions.get(schedule.job.name) !== schedule.job) {
      throw new ValidationError(`queue ${name}: schedule ${schedule.name} runs job ${schedule.job.name}, which is not one of this queue's jobs`, {
        vendor: "jobs",
        issues: [{ path: "schedules", message: "job not in the queue", code: "custom" }],
      });
    }
    schedules.set(schedule.name, compileSchedule(schedule));
  }
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger = options.logger ? redactingLogger(options.logger) : noopLogger;
  const tracer = (options.telemetry?.tracerProvider ?? trace.getTracerProvider()).getTracer("@connect/jobs", VERSION);
  const meter = (options.telemetry?.meterProvider ?? metrics.getMeterProvider()).getMeter("@connect/jobs", VERSION);
  const processed: Counter = meter.createCounter("connect.jobs.processed", { description: "Job attempts by outcome (completed, retrying, dead)" });
  const duration: Histogram = meter.createHistogram("connect.jobs.duration", { description: "Duration of job attempts", unit: "ms" });
  const workers = new Set<JobWorker>();
  // Metric attributes per job name and outcome, built once (exporters may keep a reference: frozen).
  const outcomeAttributes = new Map<string, Readonly<Record<string, string>>>();

  function definitionOf(job: JobDefinition | string): JobDefinition {
    const jobName = typeof job === "string" ? job : job.name;
    const definition = definitions.get(jobName);
    if (!definition || (typeof job !== "string" && definition !== job)) {
      throw new UnknownJobError(`queue ${name} has no job named ${JSON.stringify(jobName)}; add its definition to createJobQueue({ jobs })`, { queue: name, jobName });
    }
    return definition;
  }

  /** Build a checked record, or throw (before any I/O). */
  function prepare(job: JobDefinition | string, payload: unknown, enqueueOptions: EnqueueOptions = {}, source: JobSource = "enqueue", extra: Partial<JobRecord["metadata"]> = {}): { record: JobRecord; runAt: number } {
    const definition = definitionOf(job);
    // The stored form is JSON: check the payload as it will be read back, so a Date or a
    // Map that would not survive storage is refused now rather than poisoning the job later.
    let json: unknown;
    try {
      json = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
    } catch (error) {
      throw new ValidationError(`job ${definition.name}: the payload cannot be stored as JSON (${error instanceof Error ? error.message : String(error)})`, {
        vendor: "jobs",
        operation: definition.name,
        issues: [{ path: "(root)", message: "not JSON-serialisable", code: "invalid_type" }],
      });
    }
    const parsed = parseUntrusted(definition.payload, json);
    if (!parsed.success) {
      throw new ValidationError(`job ${definition.name}: invalid payload (${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")})`, {
        vendor: "jobs",
        operation: definition.name,
        issues: parsed.issues,
      });
    }
    const secrets = definition.unsafeAllowCredentialFields ? [] : credentialFields(json);
    if (secrets.length > 0) {
      throw new ValidationError(`job ${definition.name}: the payload has credential fields (${secrets.join(", ")}); jobs are stored durably, so pass a reference (a connection or secret name) instead`, {
        vendor: "jobs",
        operation: definition.name,
        issues: secrets.map((path) => ({ path, message: "credentials are not stored in jobs", code: "custom" })),
      });
    }
    const jobId = enqueueOptions.jobId ?? randomUUID();
    if (typeof jobId !== "string" || jobId.length === 0 || jobId.length > 200) {
      throw new ValidationError(`job ${definition.name}: jobId must be a string of 1–200 characters`, { vendor: "jobs", operation: definition.name, issues: [{ path: "jobId", message: "1–200 characters", code: "invalid_format" }] });
    }
    const createdAt = now();
    const runAt = enqueueOptions.runAt !== undefined ? toTime(enqueueOptions.runAt) : createdAt + Math.max(0, enqueueOptions.delayMs ?? 0);
    if (!Number.isFinite(runAt)) {
      throw new ValidationError(`job ${definition.name}: runAt is not a valid time`, { vendor: "jobs", operation: definition.name, issues: [{ path: "runAt", message: "invalid time", code: "invalid_type" }] });
    }
    const carrier: Record<string, string> = {};
    propagation.inject(otelContext.active(), carrier);
    const record: JobRecord = {
      header: {
        id: jobId,
        name: definition.name,
        queue: name,
        schemaVersion: 1,
        ...(enqueueOptions.tenantId === undefined ? {} : { tenantId: enqueueOptions.tenantId }),
        correlationId: enqueueOptions.correlationId ?? randomUUID(),
        createdAt: new Date(createdAt).toISOString(),
        idempotencyKey: enqueueOptions.idempotencyKey ?? `job_${name}_${jobId}`,
      },
      payload: json,
      metadata: { source, history: [], ...extra, ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}) },
    };
    return { record, runAt };
  }

  function emit(event: JobEvent): void {
    try {
      options.onEvent?.(event);
    } catch (error) {
      logger.warn({ queue: name, error: error instanceof Error ? error.message : String(error) }, "onEvent threw; ignored");
    }
  }

  async function store(prepared: Array<{ record: JobRecord; runAt: number }>): Promise<EnqueueResult[]> {
    const results = await backend.enqueue(prepared);
    return results.map((result, i) => {
      const { record, runAt } = prepared[i]!;
      const out = { jobId: result.id, created: result.created, runAt: new Date(runAt).toISOString() };
      emit({ type: "enqueued", queue: name, jobId: result.id, name: record.header.name, created: result.created, runAt: out.runAt });
      return out;
    });
  }

  async function enqueueOccurrence(compiled: CompiledSchedule, after: Date): Promise<void> {
    const fireAt = compiled.next(after);
    if (!fireAt) return;
    const { schedule } = compiled;
    const prepared = prepare(schedule.job, compiled.payloadFor(fireAt), { jobId: occurrenceId(schedule.name, fireAt), runAt: fireAt, tenantId: schedule.tenantId }, "schedule", {
      schedule: { name: schedule.name, fireAt: fireAt.toISOString() },
    });
    await store([prepared]);
  }

  async function startSchedules(): Promise<void> {
    const at = new Date(now());
    for (const compiled of schedules.values()) await enqueueOccurrence(compiled, at);
  }

  let deadCache: { at: number; count: number } | undefined;
  async function deadCount(): Promise<number> {
    if (deadCache && now() - deadCache.at < 5_000) return deadCache.count;
    const count = (await deadLetters!.list({ kind: "job", adapterId: `jobs:${name}` })).length;
    deadCache = { at: now(), count };
    return count;
  }

  async function stats(): Promise<QueueStats> {
    const [counts, dead] = await Promise.all([backend.stats(name), deadCount()]);
    return {
      queue: name,
      backend: backend.kind,
      waiting: counts.waiting,
      delayed: counts.delayed,
      active: counts.active,
      retrying: counts.retrying,
      dead,
      oldestWaitingAgeMs: counts.oldestWaitingSince === undefined ? 0 : Math.max(0, now() - counts.oldestWaitingSince),
    };
  }

  let observedStats: QueueStats | undefined;
  meter.createObservableGauge("connect.jobs.depth", { description: "Jobs by state (waiting, delayed, active, retrying, dead)" }).addCallback(async (result) => {
    observedStats = await stats().catch(() => observedStats);
    if (!observedStats) return;
    for (const state of ["waiting", "delayed", "active", "retrying", "dead"] as const) {
      result.observe(observedStats[state], { "connect.queue": name, "connect.jobs.state": state });
    }
  });
  meter.createObservableGauge("connect.jobs.oldest_waiting_age", { description: "Age of the oldest ready job not yet taken", unit: "ms" }).addCallback((result) => {
    if (observedStats) result.observe(observedStats.oldestWaitingAgeMs, { "connect.queue": name });
  });

  const internals: QueueInternals = {
    name,
    enqueue: (job, payload, enqueueOptions) => queue.enqueue(job, payload, enqueueOptions),
    backend,
    definitions,
    deadLetters,
    logger,
    tracer,
    now,
    random,
    emit,
    childLogger: (fields) => bind(logger, fields),
    recordOutcome(jobName, outcome, durationMs) {
      const key = `${jobName}\u0000${outcome}`;
      let attrs = outcomeAttributes.get(key);
      if (!attrs) outcomeAttributes.set(key, (attrs = Object.freeze({ "connect.queue": name, "connect.job.name": jobName, outcome })));
      processed.add(1, attrs);
      if (outcome !== "dead") duration.record(durationMs, attrs);
      if (outcome === "dead") deadCache = undefined;
    },
    async scheduleFollowing(occurrence) {
      const compiled = schedules.get(occurrence.name);
      if (!compiled) return; // the schedule was removed from the configuration: this occurrence is its last
      await enqueueOccurrence(compiled, new Date(occurrence.fireAt));
    },
    onWorkerStarted() {
      startSchedules().catch((error: unknown) => logger.error({ queue: name, error: error instanceof Error ? error.message : String(error) }, "could not enqueue the schedules' next occurrences"));
    },
  };

  const queue: JobQueue = {
    name,
    id: `jobs:${name}`,
    version: VERSION,
    backend,
    deadLetters,
    enqueue(job, payload, enqueueOptions) {
      let prepared: { record: JobRecord; runAt: number };
      try {
        prepared = prepare(job, payload, enqueueOptions);
      } catch (error) {
        return Promise.reject(error);
      }
      return store([prepared]).then(([result]) => result!);
    },
    enqueueMany(items) {
      let prepared: Array<{ record: JobRecord; runAt: number }>;
      try {
        prepared = items.map((item) => prepare(item.job, item.payload, item.options));
      } catch (error) {
        return Promise.reject(error);
      }
      return prepared.length === 0 ? Promise.resolve([]) : store(prepared);
    },
    work(workOptions) {
      const worker = startWorker(internals, workOptions);
      const tracked: JobWorker = {
        get running() {
          return worker.running;
        },
        stop: async (stopOptions) => {
          workers.delete(tracked);
          return worker.stop(stopOptions);
        },
      };
      workers.add(tracked);
      return tracked;
    },
    startSchedules,
    async redrive(redriveOptions = {}) {
      const letters = await deadLetters.list({ kind: "job", adapterId: `jobs:${name}`, operation: redriveOptions.name, tenantId: redriveOptions.tenantId });
      const result: ReplayResult = { replayed: 0, failed: 0, failedIds: [] };
      for (const letter of letters) {
        const stored = letter.payload as Partial<JobRecord> | null;
        if (redriveOptions.jobId !== undefined && stored?.header?.id !== redriveOptions.jobId) continue;
        try {
          if (!stored?.header || !stored.metadata) throw new ValidationError(`dead letter ${letter.id} holds no readable job record`, { vendor: "jobs" });
          const { header, metadata } = stored;
          const prepared = prepare(
            header.name,
            stored.payload,
            { jobId: header.id, tenantId: header.tenantId, correlationId: header.correlationId, idempotencyKey: header.idempotencyKey },
            "redrive",
            {
              history: metadata.history,
              redriven: (metadata.redriven ?? 0) + (metadata.lastAttempt ?? metadata.history.length),
              ...(metadata.checkpoint === undefined ? {} : { checkpoint: metadata.checkpoint }),
            },
          );
          prepared.record.header.createdAt = header.createdAt;
          const [enqueued] = await store([prepared]);
          if (!enqueued!.created) logger.warn({ queue: name, jobId: header.id }, "redrive: the queue already holds a job with this id; its dead letter is removed");
          await deadLetters.remove(letter.id);
          result.replayed += 1;
        } catch (error) {
          logger.warn({ queue: name, letter: letter.id, error: error instanceof Error ? error.message : String(error) }, "redrive: a dead letter could not be put back on the queue; it stays");
          result.failed += 1;
          result.failedIds.push(letter.id);
        }
      }
      deadCache = undefined;
      return result;
    },
    stats,
    async healthCheck() {
      const started = now();
      try {
        const current = await stats();
        const latencyMs = now() - started;
        const degraded = current.oldestWaitingAgeMs > (options.degradedAfterMs ?? 60_000) || current.dead > 0;
        return { status: degraded ? "degraded" : "healthy", latencyMs, stats: current };
      } catch (error) {
        return { status: "unhealthy", latencyMs: now() - started, error: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      await Promise.all([...workers].map((worker) => worker.stop()));
    },
  };
  return queue;
}
