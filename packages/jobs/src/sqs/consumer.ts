/**
 * The fetch loop: long-poll ReceiveMessage with up to `concurrency` deliveries out at once, the
 * visibility timeout as the lease. Before a message becomes a delivery it may need housekeeping:
 *
 * - received before its `connect.notBefore` time → hidden again for the rest of the wait
 *   (ChangeMessageVisibility, ≤ 12 h a time) without running it;
 * - due, but received early before (its first receive precedes its not-before time) → its
 *   `ApproximateReceiveCount` includes those early receives, which were not attempts, so it is
 *   re-sent as a fresh message (same attempt base) and deleted; the copy is then delivered with an
 *   exact count. A message whose first receive came after its time was never hidden and is
 *   delivered as it is, so no attempt a handler ran is ever dropped from the count.
 */
import { randomUUID } from "node:crypto";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { isFifoUrl, type SqsContext } from "./context.js";
import { createDelivery } from "./delivery.js";
import { storeUnavailable } from "./errors.js";
import { fifoId, incomingInfo, MAX_VISIBILITY_SECONDS, outgoingMessage, visibilitySeconds, type IncomingInfo } from "./messages.js";
import { decodeRecord, type ConsumeOptions, type JobConsumer } from "@connect/jobs";

// A first receive this close after the not-before time is treated as early too, so clock skew
// between this host and SQS cannot leave an early receive in the attempt count.
const SKEW_MS = 2_000;

/** Start consuming a queue. @internal */
export function startConsumer(ctx: SqsContext, queue: string, options: ConsumeOptions): JobConsumer {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const leaseSeconds = visibilitySeconds(options.leaseMs);
  let stopped = false;
  let inFlight = 0;
  let reserved = 0;
  const sleepers = new Set<() => void>();
  const housekeeping = new Set<Promise<void>>();

  const wakeAll = (): void => {
    for (const wake of [...sleepers]) wake();
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  const track = (work: Promise<void>): void => {
    const tracked = work.catch((error: unknown) => options.onError?.(error)).finally(() => housekeeping.delete(tracked));
    housekeeping.add(tracked);
  };

  /** Hide a message received before its time for the rest of the wait. */
  async function hide(url: string, message: Message, notBefore: number): Promise<void> {
    // The 12 h cap counts from the receive (sqs.md §6), a moment ago: keep a minute's margin. A
    // longer wait is simply hidden again on the next early receive.
    const seconds = Math.min(MAX_VISIBILITY_SECONDS - 60, Math.max(1, Math.ceil((notBefore - ctx.now()) / 1000)));
    try {
      await ctx.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));
    } catch (error) {
      throw storeUnavailable("ChangeMessageVisibility", queue, error);
    }
  }

  /** Re-send a due message that was received early, so its copy's receive count holds real deliveries only. */
  async function renew(url: string, fifo: boolean, message: Message, info: IncomingInfo): Promise<void> {
    const body = message.Body ?? "";
    const jobId = decodeRecord(body)?.header.id;
    // Deterministic per source message: a second renewal of the same message (after a crash) is deduped on FIFO.
    const fifoIds = fifo ? { groupId: info.groupId ?? "default", dedupId: fifoId(`${jobId ?? message.MessageId}#n${message.MessageId}`) } : undefined;
    await ctx.send(queue, url, outgoingMessage({ body, jobId, base: info.base, runAt: 0, now: ctx.now(), fifo: fifoIds }), "SendMessage");
    try {
      await ctx.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      throw storeUnavailable("DeleteMessage", queue, error);
    }
  }

  function handle(url: string, fifo: boolean, message: Message, receivedAt: number): void {
    const info = incomingInfo(message);
    const notBefore = info.notBefore;
    if (notBefore !== undefined && ctx.now() < notBefore) return track(hide(url, message, notBefore));
    if (notBefore !== undefined && (info.firstReceiveAt === undefined || info.firstReceiveAt < notBefore + SKEW_MS)) return track(renew(url, fifo, message, info));
    inFlight += 1;
    const delivery = createDelivery(ctx, { queue, url, fifo, message, info, leaseSeconds, receivedAt });
    void options
      .onDelivery(delivery)
      .catch(() => undefined)
      .finally(() => {
        inFlight -= 1;
        wakeAll();
      });
  }

  async function poll(url: string, fifo: boolean): Promise<void> {
    let failures = 0;
    while (!stopped) {
      const free = concurrency - inFlight - reserved;
      if (free <= 0) {
        await sleep(60_000); // woken when a delivery settles or the consumer stops
        continue;
      }
      // FIFO: one message per receive, so a group's messages never run side by side (the group
      // lock holds while one is in flight); several pollers keep other groups flowing.
      const want = fifo ? 1 : Math.min(10, free);
      reserved += want;
      let messages: Message[];
      try {
        const out = await ctx.client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: want,
            WaitTimeSeconds: ctx.waitTimeSeconds,
            VisibilityTimeout: leaseSeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "SentTimestamp", "MessageGroupId"],
            MessageAttributeNames: ["connect.*"],
            // The SDK's own retries of this receive get the same messages back instead of locking their groups (sqs.md §6).
            ...(fifo ? { ReceiveRequestAttemptId: randomUUID() } : {}),
          }),
        );
        messages = out.Messages ?? [];
        failures = 0;
      } catch (error) {
        failures += 1;
        options.onError?.(storeUnavailable("ReceiveMessage", queue, error));
        await sleep(Math.min(5_000, 100 * 2 ** failures));
        continue;
      } finally {
        reserved -= want;
      }
      const receivedAt = ctx.now();
      for (const message of messages) handle(url, fifo, message, receivedAt);
      // A short poll (waitTimeSeconds 0) that found nothing would spin; pause a little.
      if (messages.length === 0 && ctx.waitTimeSeconds === 0) await sleep(200);
    }
  }

  const loop = (async () => {
    let failures = 0;
    let url: string | undefined;
    while (!stopped && url === undefined) {
      try {
        url = await ctx.queueUrl(queue);
      } catch (error) {
        failures += 1;
        options.onError?.(error);
        await sleep(Math.min(5_000, 100 * 2 ** failures));
      }
    }
    if (url === undefined) return;
    const fifo = isFifoUrl(url);
    const pollers = fifo ? concurrency : Math.ceil(concurrency / 10);
    await Promise.all(Array.from({ length: pollers }, () => poll(url, fifo)));
  })();

  return {
    async stop() {
      // An in-flight long poll is left to finish (≤ waitTimeSeconds): aborting it client-side may
      // leave SQS handing its messages to a closed connection, where they would sit out a whole
      // visibility timeout and then count as a lost attempt. What it brings back is delivered.
      stopped = true;
      wakeAll();
      await loop;
      await Promise.all([...housekeeping]);
    },
  };
}
