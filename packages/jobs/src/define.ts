/** Job definitions: a name, a payload schema and a handler, with the job's retry settings. */
import type { IntegrationContext, Logger } from "@connect/core";
import { ValidationError } from "@connect/core";
import type { z } from "zod";
import type { JobAttempt, JobSource } from "./record.js";

/** Backoff between a job's attempts (core's exponential backoff, in queue time). @public */
export interface JobRetryOptions {
  /** Delay before the second attempt (ms). Default 1 000. */
  minDelayMs?: number | undefined;
  /** Longest delay (ms). Default 300 000 (5 min). */
  maxDelayMs?: number | undefined;
  /** Growth per attempt. Default 2. */
  factor?: number | undefined;
  /** Multiply each delay by a random factor in [1, 2). Default true. */
  jitter?: boolean | undefined;
}

/** Options of {@link JobQueue.enqueue}. @public */
export interface EnqueueOptions {
  /** Job id; enqueueing an id the queue already holds is a no-op (`created: false`). Default: a random UUID. */
  jobId?: string | undefined;
  /** Run no earlier than this many ms from now. */
  delayMs?: number | undefined;
  /** Run no earlier than this time (wins over `delayMs`). */
  runAt?: Date | number | undefined;
  /** Tenant, carried into the handler's context, logs and dead letters. */
  tenantId?: string | undefined;
  /** Correlation id of the request that caused the job (default: a new one). */
  correlationId?: string | undefined;
  /** Idempotency key every attempt passes to the vendor (default `job_<queue>_<jobId>`, minted now). */
  idempotencyKey?: string | undefined;
}

/** What {@link JobQueue.enqueue} stored. @public */
export interface EnqueueResult {
  /** The job id. */
  jobId: string;
  /** False when the queue already held a job with this id (nothing new was stored). */
  created: boolean;
  /** ISO time the job becomes ready. */
  runAt: string;
}

/** What a handler learns about its job; pass it as the context of vendor calls (`client.op(input, ctx)`). @public */
export interface JobContext extends IntegrationContext {
  /** The job id (unique in its queue). */
  readonly jobId: string;
  /** The job definition's name. */
  readonly name: string;
  /** The queue's name. */
  readonly queue: string;
  /** This attempt, 1 for the first (a delivery whose worker died counts). */
  readonly attempt: number;
  /** Attempts allowed before the job is dead-lettered. */
  readonly maxAttempts: number;
  /** Correlation id minted at enqueue (or given to it). */
  readonly correlationId: string;
  /** Minted once at enqueue; the same on every attempt in every process. */
  readonly idempotencyKey: string;
  /** Aborted when the job times out, its lease is lost or the worker shuts down past its deadline. */
  readonly signal: AbortSignal;
  /** True when an earlier attempt may have reached a vendor (its worker died, or it failed after sending). */
  readonly resumed: boolean;
  /** Where the job came from. */
  readonly source: JobSource;
  /** ISO time of the enqueue. */
  readonly createdAt: string;
  /** Earlier failed attempts, oldest first. */
  readonly history: readonly JobAttempt[];
  /** The last checkpoint saved by an earlier attempt (or this one), undefined when none was. */
  readonly checkpoint: unknown;
  /** Persist progress (JSON-safe, no secrets) so an attempt after a crash resumes from it. */
  saveCheckpoint(value: unknown): Promise<void>;
  /** A stable idempotency key for one step of a handler that makes several vendor writes. */
  keyFor(step: string): string;
  /** The queue's redacting logger, with the job's fields bound. */
  readonly logger: Logger;
  /** Enqueue a follow-up job on the same queue (a job id makes it happen once, however often this attempt runs). */
  enqueue(job: JobDefinition | string, payload: unknown, options?: EnqueueOptions): Promise<EnqueueResult>;
}

/** A job's handler: resolve when the work is done, throw to have it retried (or dead-lettered). @public */
export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void> | void;

/** The declaration passed to {@link defineJob}. @public */
export interface JobDefinitionInput<S extends z.ZodType> {
  /** Unique within a queue, e.g. `sms.send` or `bpo.nightly-import`. */
  name: string;
  /** Payload schema: checked at enqueue (before anything is stored) and again when the job is taken. */
  payload: S;
  /** Does the work. */
  handler: JobHandler<z.output<S>>;
  /** Attempts before the job goes to the dead letters (default 5). */
  maxAttempts?: number | undefined;
  /** Backoff between attempts. */
  retry?: JobRetryOptions | undefined;
  /** How long a worker holds the job between lease renewals (default 30 000 ms). */
  leaseMs?: number | undefined;
  /** Abort the handler after this long (default 15 min); the attempt then counts as failed. */
  timeoutMs?: number | undefined;
  /**
   * Store payload fields whose names look like credentials (`token`, `signature` …) instead of
   * refusing them at enqueue. Only for payloads that are a vendor's own data (a verified webhook event).
   */
  unsafeAllowCredentialFields?: boolean | undefined;
}

/** A defined job. @public */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly payload: S;
  readonly handler: JobHandler<z.output<S>>;
  readonly maxAttempts: number;
  readonly retry: Required<JobRetryOptions>;
  readonly leaseMs: number;
  readonly timeoutMs: number;
  readonly unsafeAllowCredentialFields: boolean;
}

/** Payload type of a job definition. @public */
export type JobPayload<D> = D extends JobDefinition<infer S> ? z.input<S> : never;

/** Default backoff of jobs. @public */
export const DEFAULT_JOB_RETRY: Required<JobRetryOptions> = { minDelayMs: 1_000, maxDelayMs: 300_000, factor: 2, jitter: true };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

function positive(value: number | undefined, fallback: number, field: string, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`job ${name}: ${field} must be a positive number (got ${String(value)})`, {
      vendor: "jobs",
      issues: [{ path: field, message: "must be a positive number", code: "too_small" }],
    });
  }
  return value;
}

/**
 * Define a job.
 * @example
 * const sendReminder = defineJob({
 *   name: "sms.reminder",
 *   payload: z.object({ to: z.string(), body: z.string() }),
 *   handler: async (payload, ctx) => { await twilio.messages.send(payload, ctx) },
 * });
 * @public
 */
export function defineJob<S extends z.ZodType>(input: JobDefinitionInput<S>): JobDefinition<S> {
  if (typeof input.name !== "string" || !NAME.test(input.name)) {
    throw new ValidationError(`job name ${JSON.stringify(input.name)} must be 1–128 letters, digits, '.', '_', ':' or '-'`, {
      vendor: "jobs",
      issues: [{ path: "name", message: "invalid job name", code: "invalid_format" }],
    });
  }
  const retry = { ...DEFAULT_JOB_RETRY, ...stripUndefined(input.retry ?? {}) };
  return Object.freeze({
    name: input.name,
    payload: input.payload,
    handler: input.handler,
    maxAttempts: Math.floor(positive(input.maxAttempts, 5, "maxAttempts", input.name)),
    retry: Object.freeze(retry),
    leaseMs: positive(input.leaseMs, 30_000, "leaseMs", input.name),
    timeoutMs: positive(input.timeoutMs, 15 * 60_000, "timeoutMs", input.name),
    unsafeAllowCredentialFields: input.unsafeAllowCredentialFields === true,
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The delay before attempt `attempt + 1` (exponential, capped, with optional jitter in [1, 2)). @internal */
export function backoffDelay(attempt: number, retry: Required<JobRetryOptions>, random: () => number = Math.random): number {
  const base = Math.min(retry.maxDelayMs, retry.minDelayMs * retry.factor ** Math.max(0, attempt - 1));
  return Math.round(Math.min(retry.maxDelayMs, retry.jitter ? base * (1 + random()) : base));
}
