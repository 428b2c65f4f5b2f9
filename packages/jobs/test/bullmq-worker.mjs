// A worker process for the crash test in bullmq.test.ts. It runs the BUILT @connect/jobs on BullMQ
// (as a host would) at REDIS_URL under PREFIX, prints "started <jobId> <attempt>" when a job starts
// and then hangs in the handler until the test kills the process with SIGKILL.
import { createMemoryDeadLetterSink } from "@connect/core";
import { createJobQueue, defineJob } from "@connect/jobs";
import { createBullMqBackend } from "@connect/jobs/bullmq";
import { z } from "zod";

const backend = createBullMqBackend({ connection: process.env.REDIS_URL, prefix: process.env.PREFIX, stalledIntervalMs: 100 });
const sync = defineJob({
  name: "loan.sync",
  payload: z.object({ loanId: z.string() }),
  maxAttempts: 2,
  leaseMs: 1_000,
  handler: (_payload, ctx) => {
    process.stdout.write(`started ${ctx.jobId} ${ctx.attempt}\n`);
    return new Promise(() => undefined);
  },
});
const queue = createJobQueue({ name: "loans", backend, jobs: [sync], deadLetters: createMemoryDeadLetterSink() });
queue.work({ concurrency: 1 });
process.stdout.write("ready\n");
