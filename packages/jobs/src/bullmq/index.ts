/**
 * @connect/jobs/bullmq — the BullMQ (Redis) job backend: durable jobs shared by every process and
 * host on one Redis, with BullMQ's locks as leases and our worker as the one retry layer. Needs
 * `bullmq` and `ioredis` (optional peer dependencies); the main entry never loads them.
 */
/** @public */
export { createBullMqBackend } from "./backend.js";
/** @public */
export type { BullMqBackend, BullMqBackendOptions } from "./backend.js";
/** @public */
export type { BullMqConnection } from "./connection.js";
