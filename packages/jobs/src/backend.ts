/**
 * The backend contract: what a queue engine (node:sqlite, BullMQ, SQS) must provide so the one
 * worker in `worker.ts` can run jobs on it. A backend stores records and hands them out under a
 * lease; it never decides about retries, backoff or dead letters (one retry layer, in the worker).
 *
 * Every backend passes the same conformance suite (packages/jobs/test/conformance.ts).
 */
import type { DeadLetterSink } from "@connect/core";
import type { JobRecord } from "./record.js";

/** One job to store. @public */
export interface BackendJob {
  /** The record (its `header.queue` and `header.id` identify it). */
  record: JobRecord;
  /** Epoch ms before which the job is not handed out. */
  runAt: number;
}

/** What a backend did with one enqueued job. @public */
export interface BackendEnqueueResult {
  /** The job id. */
  id: string;
  /** False when a job with this id already existed in the queue (nothing was stored). */
  created: boolean;
}

/**
 * A job handed to a worker under a lease. Exactly one of `complete`, `retry`, `discard` or
 * `release` ends it; after that, every method rejects. Any method may reject with
 * `LeaseLostError` when the lease ran out and another worker may now hold the job.
 * @public
 */
export interface JobDelivery {
  /** The stored record, or undefined when it could not be read (see `raw`). */
  readonly record: JobRecord | undefined;
  /** The stored text, kept for a record that does not parse so it can be dead-lettered verbatim. */
  readonly raw: string;
  /** This delivery's attempt number, 1 for the first; a delivery whose worker died counts. */
  readonly attempt: number;
  /** Engine-specific id of this delivery (message id, row id), for logs. */
  readonly deliveryId: string;
  /** Keep the job leased for `ms` more from now. */
  extend(ms: number): Promise<void>;
  /** The job is done: remove it (its id is remembered for the backend's dedupe window). */
  complete(): Promise<void>;
  /** Hand the job out again at `runAt` with the updated record (attempt history). */
  retry(runAt: number, record: JobRecord): Promise<void>;
  /** Remove the job without completing it (it was dead-lettered). */
  discard(): Promise<void>;
  /** Give the job back unfinished, at once, without counting this delivery as an attempt (shutdown). */
  release(): Promise<void>;
  /** Persist an updated record (a checkpoint) while keeping the lease. */
  save(record: JobRecord): Promise<void>;
}

/** Options of {@link JobBackend.consume}. @public */
export interface ConsumeOptions {
  /** Deliveries handed out at once at most. */
  concurrency: number;
  /** Lease of each delivery (ms); the worker extends it while the handler runs. */
  leaseMs: number;
  /** Called with each delivery; the consumer does not wait for it before fetching more (up to `concurrency`). */
  onDelivery: (delivery: JobDelivery) => Promise<void>;
  /** Called when fetching fails (the consumer keeps trying, with backoff). */
  onError?: ((error: unknown) => void) | undefined;
}

/** A running fetch loop. @public */
export interface JobConsumer {
  /** Stop fetching new deliveries; resolves once the loop has stopped (deliveries already handed out keep their leases). */
  stop(): Promise<void>;
}

/** Counts of one queue. @public */
export interface BackendStats {
  /** Ready to run now. */
  waiting: number;
  /** Scheduled for later (delayed, or waiting out a retry backoff). */
  delayed: number;
  /** Leased to a worker. */
  active: number;
  /** Of `waiting` + `delayed`, those that failed before (a retry is pending). */
  retrying: number;
  /** Epoch ms of the oldest job that is ready and not leased (its run-at), or undefined when none is. */
  oldestWaitingSince: number | undefined;
}

/** A queue engine. @public */
export interface JobBackend {
  /** Engine name for logs, metrics and health: `sqlite`, `bullmq`, `sqs`. */
  readonly kind: string;
  /** The engine's own durable dead-letter sink, used by queues that are given none. */
  readonly deadLetters?: DeadLetterSink | undefined;
  /**
   * Store jobs durably; resolves only once they are on the engine's storage. Jobs whose id exists
   * in their queue are not stored again (`created: false`). Rejects with `StoreUnavailableError`
   * when the engine cannot take them.
   */
  enqueue(jobs: BackendJob[]): Promise<BackendEnqueueResult[]>;
  /** Start handing out a queue's jobs. */
  consume(queue: string, options: ConsumeOptions): JobConsumer;
  /** Counts of a queue. */
  stats(queue: string): Promise<BackendStats>;
  /** Release connections and timers (consumers should be stopped first). */
  close(): Promise<void>;
}
