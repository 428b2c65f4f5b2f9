/** @connect/jobs/bullmq — placeholder until the BullMQ backend lands. */
export {};
