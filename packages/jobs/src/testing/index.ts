/**
 * @connect/jobs/testing — a stateful Amazon SQS fake (msw handlers, AWS JSON 1.0) to run the SQS
 * backend, or any code using `@aws-sdk/client-sqs`, against loopback with `serveHandlers`.
 */
/** Create the SQS fake. @public */
export { createSqsFake } from "./sqs-fake.js";
/** The fake's options, controls and snapshots. @public */
export type { SqsFake, SqsFakeCall, SqsFakeCounts, SqsFakeFault, SqsFakeMessage, SqsFakeMessageState, SqsFakeOptions } from "./sqs-types.js";
/** The SQS error names the fake answers with. @public */
export type { SqsErrorName } from "./sqs-errors.js";
/** SQS's body and message-attribute MD5s, for checking answers by hand. @public */
export { md5OfBody, md5OfMessageAttributes, type WireMessageAttribute } from "./sqs-md5.js";
