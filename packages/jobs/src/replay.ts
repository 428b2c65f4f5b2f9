/**
 * Replay dead letters by enqueueing them, instead of calling the vendor inline from the replay
 * loop: each letter becomes a durable job (once, however often the replay runs), the letter is
 * removed only after the job is stored, and the job then runs with the queue's retries.
 */
import type { DeadLetter, DeadLetterFilter, DeadLetterSink, ReplayResult } from "@connect/core";
import type { EnqueueOptions, JobDefinition } from "./define.js";
import type { JobQueue } from "./queue.js";

/** The job a dead letter becomes, or undefined to leave the letter where it is. @public */
export type ReplayRoute = (letter: DeadLetter) => { job: JobDefinition | string; payload: unknown; options?: EnqueueOptions | undefined } | undefined;

/** Options of {@link replayDeadLettersToQueue}. @public */
export interface ReplayToQueueOptions {
  /** Which letters (default: all of kind `call` and `webhook`; a queue's own `job` letters go back with `queue.redrive()`). */
  filter?: DeadLetterFilter | undefined;
  /** Turns a letter into a job; letters it returns undefined for stay in the sink. */
  route: ReplayRoute;
}

/** Outcome of {@link replayDeadLettersToQueue}. @public */
export interface ReplayToQueueResult extends ReplayResult {
  /** Letters left in the sink because `route` had no job for them. */
  skipped: number;
}

/**
 * Enqueue dead letters as jobs on `queue` (job id `replay:<letter id>`, a fresh idempotency key:
 * replaying is the decision to do the work again), then remove each stored one from the sink.
 * @example
 * await replayDeadLettersToQueue(deadLetters, queue, {
 *   filter: { adapterId: "twilio", operation: "messages.send" },
 *   route: (letter) => ({ job: sendSms, payload: letter.payload }),
 * });
 * @public
 */
export async function replayDeadLettersToQueue(sink: DeadLetterSink, queue: JobQueue, options: ReplayToQueueOptions): Promise<ReplayToQueueResult> {
  const letters = (await sink.list(options.filter)).filter((letter) => options.filter?.kind !== undefined || letter.kind !== "job");
  const result: ReplayToQueueResult = { replayed: 0, failed: 0, failedIds: [], skipped: 0 };
  for (const letter of letters) {
    const routed = options.route(letter);
    if (!routed) {
      result.skipped += 1;
      continue;
    }
    try {
      await queue.enqueue(routed.job, routed.payload, {
        jobId: `replay:${letter.id}`,
        idempotencyKey: `replay_${letter.id}`,
        correlationId: letter.correlationId,
        tenantId: letter.tenantId,
        ...routed.options,
      });
      await sink.remove(letter.id);
      result.replayed += 1;
    } catch {
      result.failed += 1;
      result.failedIds.push(letter.id);
    }
  }
  return result;
}
