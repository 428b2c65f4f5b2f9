/**
 * @connect/jobs/sqs — the job backend on Amazon SQS (standard and FIFO queues), through
 * `@aws-sdk/client-sqs` (an optional peer dependency, loaded only from this subpath).
 */
/** Create the SQS backend, and its options. @public */
export { createSqsBackend, type SqsBackendOptions } from "./backend.js";
