/** @connect/jobs/sqs — placeholder until the SQS backend lands. */
export {};
