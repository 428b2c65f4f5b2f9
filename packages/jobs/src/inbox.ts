/**
 * The webhook inbox on a durable queue: every receiver given `inbox` (core's, DocuSign,
 * SendGrid, Twilio, QuickBooks, Textract SNS, Authentisign) stores each verified event as a job
 * before it answers 2xx, and the queue's workers run the receiver's handlers with retries and
 * dead letters. A process killed right after the 200 loses nothing: the next worker runs it.
 */
import { StoreUnavailableError, type DeadLetterSink, type Logger, type StoredWebhookEvent, type StoredWebhookRunner, type TelemetryOptions, type WebhookInbox, lazySchema } from "@connect/core";
import { z } from "zod";
import type { JobBackend } from "./backend.js";
import { defineJob, type JobDefinition, type JobRetryOptions } from "./define.js";
import { JobError } from "./errors.js";
import { createJobQueue, type JobQueue } from "./queue.js";
import type { JobEvent } from "./worker.js";

/** Options of {@link createWebhookInbox}. @public */
export interface WebhookInboxOptions {
  /** The queue engine (the same one as the host's other jobs, or its own). */
  backend: JobBackend;
  /** Queue name (default `webhooks`). */
  name?: string | undefined;
  /** Attempts per event before it is dead-lettered (default 8: vendors stop redelivering once we have acknowledged). */
  maxAttempts?: number | undefined;
  /** Backoff between attempts (default 2 s doubling to 10 min). */
  retry?: JobRetryOptions | undefined;
  /** How long one handler run may take (default 5 min). */
  timeoutMs?: number | undefined;
  /** Lease of a running event (default 30 s): how soon another worker takes over from one that died. */
  leaseMs?: number | undefined;
  /** Where events that failed every attempt go (default: the backend's own sink). */
  deadLetters?: DeadLetterSink | undefined;
  /** Structured logger (redacted). */
  logger?: Logger | undefined;
  /** Tracer and meter providers. */
  telemetry?: Omit<TelemetryOptions, "logger"> | undefined;
  /** Every job event of the inbox's queue. */
  onEvent?: ((event: JobEvent) => void) | undefined;
}

/** A webhook inbox: give it to receivers as `inbox`, and run `queue.work()` where the handlers should run. @public */
export interface DurableWebhookInbox extends WebhookInbox {
  /** The queue events wait in: `work()`, `stats()`, `healthCheck()`, `redrive()`. */
  readonly queue: JobQueue;
  /** The job definition events are stored as (name `webhook.event`). */
  readonly job: JobDefinition;
}

const StoredEvent = lazySchema(() =>
  z.object({
  vendor: z.string().min(1),
  eventId: z.string().optional(),
  key: z.string().min(1),
  eventType: z.string(),
  tenantId: z.string().optional(),
  correlationId: z.string(),
  receivedAt: z.string(),
  event: z.unknown(),
  request: z.object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()) }),
}),
);

/**
 * Create a durable webhook inbox.
 * @example
 * const backend = createSqliteBackend({ path: "./var/connect.db" });
 * const inbox = createWebhookInbox({ backend });
 * const webhook = createSendGridWebhookHandler({ publicKey, handlers, inbox });
 * inbox.queue.work({ concurrency: 4 });
 * @public
 */
export function createWebhookInbox(options: WebhookInboxOptions): DurableWebhookInbox {
  const runners = new Map<string, StoredWebhookRunner>();
  const job = defineJob({
    name: "webhook.event",
    payload: StoredEvent,
    maxAttempts: options.maxAttempts ?? 8,
    retry: { minDelayMs: 2_000, maxDelayMs: 600_000, ...options.retry },
    timeoutMs: options.timeoutMs ?? 5 * 60_000,
    leaseMs: options.leaseMs,
    // The payload is the vendor's verified event as received (an SNS envelope has a `Signature`
    // field); credential headers of the request are already left out by the receiver.
    unsafeAllowCredentialFields: true,
    handler: async (stored, ctx) => {
      const run = runners.get(stored.vendor);
      if (!run) {
        // A worker in a process that did not build this vendor's receiver: retried (another worker,
        // or this one after a deploy, may have it) and dead-lettered if it never shows up.
        throw new JobError(`no ${stored.vendor} webhook receiver is attached to inbox ${queue.name} in this process; build the receiver with \`inbox\` where the inbox's workers run`, {
          queue: queue.name,
          jobId: ctx.jobId,
          retryable: true,
        });
      }
      await run(stored as StoredWebhookEvent, { attempt: ctx.attempt, correlationId: stored.correlationId, resumed: ctx.resumed });
    },
  });
  const queue = createJobQueue({
    name: options.name ?? "webhooks",
    backend: options.backend,
    jobs: [job],
    deadLetters: options.deadLetters,
    logger: options.logger,
    telemetry: options.telemetry,
    onEvent: options.onEvent,
  });
  return {
    queue,
    job,
    attach(vendor, run) {
      runners.set(vendor, run);
    },
    async accept(events) {
      try {
        await queue.enqueueMany(events.map((event) => ({ job, payload: event, options: { jobId: event.key, tenantId: event.tenantId, correlationId: event.correlationId } })));
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw new StoreUnavailableError(`webhook inbox ${queue.name} could not store ${events.length} event(s): ${error instanceof Error ? error.message : String(error)}`, {
          component: "jobs",
          vendor: "jobs",
          cause: error,
        });
      }
    },
  };
}
