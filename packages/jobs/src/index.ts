/**
 * @connect/jobs — durable work for the Connect Integration SDK: typed jobs, workers with leases,
 * retries on core's backoff and error classes, dead letters and re-drive, cron schedules, and
 * the webhook inbox and vendor-write outbox, on embedded `node:sqlite` (default), BullMQ or SQS.
 */
export { defineJob, DEFAULT_JOB_RETRY, type EnqueueOptions, type EnqueueResult, type JobContext, type JobDefinition, type JobDefinitionInput, type JobHandler, type JobPayload, type JobRetryOptions } from "./define.js";
export {
  createJobQueue,
  type EnqueueItem,
  type JobQueue,
  type JobQueueOptions,
  type QueueHealth,
  type QueueStats,
  type RedriveOptions,
} from "./queue.js";
export type { JobEvent, JobWorker, StopResult, WorkOptions } from "./worker.js";
export type { JobSchedule } from "./schedule.js";
export { decodeRecord, encodeRecord, type JobAttempt, type JobHeader, type JobMetadata, type JobRecord, type JobSource } from "./record.js";
export type { BackendEnqueueResult, BackendJob, BackendStats, ConsumeOptions, JobBackend, JobConsumer, JobDelivery } from "./backend.js";
export { CorruptJobError, JobError, JobTimeoutError, LeaseExpiredError, LeaseLostError, UnknownJobError, type JobErrorOptions } from "./errors.js";
export { createSqliteBackend, type SqliteBackend, type SqliteBackendOptions } from "./backends/sqlite.js";
export type { SqliteDatabaseOptions, SqliteSynchronous } from "./backends/sqlite-db.js";
export { createWebhookInbox, type DurableWebhookInbox, type WebhookInboxOptions } from "./inbox.js";
export { replayDeadLettersToQueue, type ReplayRoute, type ReplayToQueueOptions, type ReplayToQueueResult } from "./replay.js";
