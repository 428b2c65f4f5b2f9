/**
 * The SQS backend: one job queue is one SQS queue (standard or FIFO), a job is a message, the
 * lease is the visibility timeout (shared/DURABLE-WORK.md, shared/vendors/sqs.md).
 *
 * What SQS does not give, and what this backend does about it:
 * - dedupe on job id: FIFO queues drop a repeated `MessageDeduplicationId` (the job id) for 5
 *   minutes only, and standard queues dedupe nothing. Pass `dedupe` (core's `DedupeStore`, e.g.
 *   Redis) for dedupe across any time and queue type, and for `created: false`, which SQS never
 *   reports (a FIFO duplicate is answered like a new message).
 * - delays over 15 minutes, and any per-message delay on FIFO: carried in the message and
 *   waited out by re-hiding it (see consumer.ts).
 * - updating a message: retries and releases send a new message, then delete the old one.
 * - stats: SQS counts messages by visibility only; `retrying` is 0 and `oldestWaitingSince`
 *   undefined (the oldest message's age is a CloudWatch metric, not an SQS API), and jobs waiting
 *   out a long delay or a FIFO delay while hidden count as `active`.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { StoreUnavailableError, ValidationError, type DeadLetterSink, type DedupeStore } from "@connect/core";
import { startConsumer } from "./consumer.js";
import { createSender, dedupeKeys, isFifoUrl, type SqsContext } from "./context.js";
import { entryFailed, storeUnavailable } from "./errors.js";
import { fifoId, outgoingMessage } from "./messages.js";
// Through the package's own name, so this entry shares the main entry's code instead of bundling a copy.
import { encodeRecord, type BackendEnqueueResult, type BackendJob, type BackendStats, type JobBackend, type JobRecord } from "@connect/jobs";

/** Options of {@link createSqsBackend}. @public */
export interface SqsBackendOptions {
  /** An `SQSClient` (left open by `close()`), or the configuration to create one (destroyed by `close()`). */
  client: SQSClient | SQSClientConfig;
  /** Where each job queue lives: queue name → QueueUrl, or a function returning it (called once per queue). */
  queueUrls?: Record<string, string> | ((queue: string) => string | Promise<string>) | undefined;
  /** Otherwise, find queue `<prefix><name>` (with `.fifo` when `fifo` is set) by GetQueueUrl. */
  queueNamePrefix?: string | undefined;
  /** With `queueNamePrefix`: the SQS queues are FIFO queues. (With `queueUrls` a `.fifo` URL says so.) */
  fifo?: boolean | undefined;
  /** A FIFO job's `MessageGroupId`: jobs of one group run one at a time, in order. Default: its tenant, else `default`. */
  messageGroupId?: ((record: JobRecord) => string) | undefined;
  /** Long-poll wait of each ReceiveMessage, 0–20 s (default 20); stopping a consumer waits for the current poll. */
  waitTimeSeconds?: number | undefined;
  /**
   * Dedupe store for job ids. Without it a standard queue stores every enqueue of an id (it
   * dedupes nothing) and a FIFO queue drops repeats for 5 minutes only, and `created` is always true.
   */
  dedupe?: DedupeStore | undefined;
  /** How long an enqueued id is remembered in `dedupe` (default 24 h, like the SQLite backend's completed ids). */
  dedupeTtlMs?: number | undefined;
  /** A durable sink for queues on this backend that are given none (SQS has no natural one). */
  deadLetters?: DeadLetterSink | undefined;
  /** Clock (default `Date.now`). */
  now?: (() => number) | undefined;
}

// While an enqueue's send is under way its ids are claimed this long, so concurrent enqueues of
// one id store it once; a crash between claim and send blocks the id for this long, not forever.
const CLAIM_MS = 60_000;

function isClient(value: SqsBackendOptions["client"]): value is SQSClient {
  return typeof (value as SQSClient).send === "function" && typeof (value as SQSClient).destroy === "function";
}

function configError(message: string, path: string): ValidationError {
  return new ValidationError(`createSqsBackend: ${message}`, { vendor: "jobs", issues: [{ path, message, code: "custom" }] });
}

/**
 * A job backend on Amazon SQS.
 * @example
 * const backend = createSqsBackend({
 *   client: { region: "us-east-1" },
 *   queueUrls: { default: "https://sqs.us-east-1.amazonaws.com/111122223333/connect-jobs" },
 *   dedupe: createRedisDedupeStore({ redis }),
 *   deadLetters,
 * });
 * const queue = createJobQueue({ backend, jobs });
 * @public
 */
export function createSqsBackend(options: SqsBackendOptions): JobBackend {
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) throw configError("waitTimeSeconds must be a whole number from 0 to 20", "waitTimeSeconds");
  if (options.queueUrls === undefined && options.queueNamePrefix === undefined) throw configError("pass queueUrls (a map or a function) or queueNamePrefix", "queueUrls");
  const owned = !isClient(options.client);
  const client = isClient(options.client) ? options.client : new SQSClient(options.client);
  const now = options.now ?? Date.now;
  const urls = new Map<string, Promise<string>>();

  async function resolveUrl(queue: string): Promise<string> {
    const given = options.queueUrls;
    if (typeof given === "function") return given(queue);
    if (given !== undefined) {
      const url = given[queue];
      if (url === undefined) throw new StoreUnavailableError(`jobs/sqs: no QueueUrl is configured for job queue ${queue}; add it to queueUrls`, { component: "jobs", vendor: "jobs", retryable: false });
      return url;
    }
    const name = `${options.queueNamePrefix}${queue}${options.fifo ? ".fifo" : ""}`;
    const out = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    return out.QueueUrl!;
  }

  const ctx: SqsContext = {
    client,
    now,
    waitTimeSeconds,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 24 * 60 * 60 * 1000,
    queueUrl(queue) {
      let url = urls.get(queue);
      if (!url) {
        url = resolveUrl(queue).catch((error: unknown) => {
          urls.delete(queue); // resolve again next time: the queue may exist by then
          throw storeUnavailable("GetQueueUrl", queue, error);
        });
        urls.set(queue, url);
      }
      return url;
    },
    groupOf: (record) => fifoId(options.messageGroupId?.(record) ?? record.header.tenantId ?? "default"),
    send: createSender(client),
  };

  function entryOf(job: BackendJob, fifo: boolean, index: number): SendMessageBatchRequestEntry {
    const { record } = job;
    const { id } = record.header;
    // A re-driven job must not be dropped as a repeat of its first send within FIFO's 5 minutes.
    const dedupId = record.metadata.source === "redrive" ? `${id}#redrive${record.metadata.redriven ?? 0}:${record.metadata.history.length}` : id;
    const message = outgoingMessage({ body: encodeRecord(record), jobId: id, base: 0, runAt: job.runAt, now: now(), fifo: fifo ? { groupId: ctx.groupOf(record), dedupId: fifoId(dedupId) } : undefined });
    return { Id: `m${index}`, ...message };
  }

  /** SendMessageBatch in chunks of 10; a 200 may still refuse entries (`Failed`): retried when SQS's fault, else rejected. */
  async function sendAll(queue: string, url: string, jobs: BackendJob[], sent: (job: BackendJob) => Promise<void>): Promise<void> {
    const fifo = isFifoUrl(url);
    for (let start = 0; start < jobs.length; start += 10) {
      let pending = jobs.slice(start, start + 10).map((job, i) => ({ job, entry: entryOf(job, fifo, i) }));
      for (let round = 1; pending.length > 0; round += 1) {
        let out;
        try {
          out = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending.map((p) => p.entry) }));
        } catch (error) {
          throw storeUnavailable("SendMessageBatch", queue, error);
        }
        const ok = new Set((out.Successful ?? []).map((s) => s.Id));
        for (const p of pending) if (ok.has(p.entry.Id)) await sent(p.job);
        const failed = out.Failed ?? [];
        const refused = failed.find((f) => f.SenderFault) ?? (round >= 3 ? failed[0] : undefined);
        if (refused) throw entryFailed("SendMessageBatch", queue, refused);
        const again = new Set(failed.map((f) => f.Id));
        pending = pending.filter((p) => again.has(p.entry.Id));
      }
    }
  }

  async function enqueueQueue(queue: string, jobs: BackendJob[], results: Map<BackendJob, BackendEnqueueResult>): Promise<void> {
    const url = await ctx.queueUrl(queue);
    const dedupe = ctx.dedupe;
    const claimed: BackendJob[] = [];
    const unsent = new Set<BackendJob>();
    try {
      for (const job of jobs) {
        const { id } = job.record.header;
        if (dedupe) {
          const keys = dedupeKeys(queue, id);
          // Check the lasting mark, then take the claim (atomic in the store): one enqueue of an id wins.
          if ((await dedupe.has(keys.done)) || (await dedupe.seen(keys.claim, CLAIM_MS))) {
            results.set(job, { id, created: false });
            continue;
          }
          unsent.add(job);
        }
        claimed.push(job);
      }
    } catch (error) {
      await Promise.all([...unsent].map((job) => dedupe!.forget(dedupeKeys(queue, job.record.header.id).claim))).catch(() => undefined);
      throw new StoreUnavailableError(`jobs/sqs: the dedupe store failed while enqueueing on queue ${queue}; nothing was sent`, { component: "jobs", vendor: "jobs", cause: error });
    }
    try {
      await sendAll(queue, url, claimed, async (job) => {
        results.set(job, { id: job.record.header.id, created: true });
        unsent.delete(job);
        // The message is stored: a failure to mark it only weakens dedupe, so it does not fail the enqueue.
        await dedupe?.seen(dedupeKeys(queue, job.record.header.id).done, ctx.dedupeTtlMs).catch(() => undefined);
      });
    } finally {
      // Whatever was not sent is free to be enqueued again at once.
      if (dedupe) await Promise.all([...unsent].map((job) => dedupe.forget(dedupeKeys(queue, job.record.header.id).claim))).catch(() => undefined);
    }
  }

  return {
    kind: "sqs",
    deadLetters: options.deadLetters,
    async enqueue(jobs) {
      const byQueue = new Map<string, BackendJob[]>();
      for (const job of jobs) {
        const list = byQueue.get(job.record.header.queue) ?? [];
        list.push(job);
        byQueue.set(job.record.header.queue, list);
      }
      const results = new Map<BackendJob, BackendEnqueueResult>();
      for (const [queue, list] of byQueue) await enqueueQueue(queue, list, results);
      return jobs.map((job) => results.get(job)!);
    },
    consume: (queue, consumeOptions) => startConsumer(ctx, queue, consumeOptions),
    async stats(queue): Promise<BackendStats> {
      const url = await ctx.queueUrl(queue);
      let attributes: Record<string, string | undefined>;
      try {
        const out = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible"] }),
        );
        attributes = out.Attributes ?? {};
      } catch (error) {
        throw storeUnavailable("GetQueueAttributes", queue, error);
      }
      const count = (name: string): number => Number(attributes[name] ?? 0) || 0;
      return {
        waiting: count("ApproximateNumberOfMessages"),
        delayed: count("ApproximateNumberOfMessagesDelayed"),
        active: count("ApproximateNumberOfMessagesNotVisible"),
        retrying: 0,
        oldestWaitingSince: undefined,
      };
    },
    async close() {
      if (owned) client.destroy();
    },
  };
}
