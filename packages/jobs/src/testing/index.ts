/** @connect/jobs/testing — placeholder until the SQS fake lands. */
export {};
