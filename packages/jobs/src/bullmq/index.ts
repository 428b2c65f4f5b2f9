/**
 * @connect/jobs/bullmq — the BullMQ (Redis) job backend: durable jobs shared by every process and
 * host on one Redis, with BullMQ's locks as leases and our worker as the one retry layer. Needs
 * `bullmq` and `ioredis` (optional peer dependencies); the main entry never loads them.
 */
/** Create a job backend on BullMQ: `createJobQueue({ backend: createBullMqBackend({ connection }), jobs })`. @public */
export { createBullMqBackend } from "./backend.js";
/** The BullMQ backend: a `JobBackend` with `kind: "bullmq"`, its dead-letter sink and key prefix. @public */
export type { BullMqBackend } from "./backend.js";
/** Options of `createBullMqBackend`: connection, prefix, dedupe window, dead letters, stalled-check and idle intervals. @public */
export type { BullMqBackendOptions } from "./backend.js";
/** The Redis a backend uses: an ioredis client, a `redis://` URL or ioredis options. @public */
export type { BullMqConnection } from "./connection.js";
