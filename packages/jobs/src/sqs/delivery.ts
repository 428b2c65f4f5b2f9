/**
 * One received SQS message as a {@link JobDelivery}. SQS cannot change a message in place, so
 * every outcome that changes the job (retry, release) sends a new message and then deletes this
 * one. Between the two a crash leaves both: the old one comes back after its visibility timeout
 * and the job runs once more — which the job's idempotency key makes safe (DURABLE-WORK.md).
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { dedupeKeys, type SqsContext } from "./context.js";
import { isLeaseLost, isNotInflight, leaseLost, storeUnavailable } from "./errors.js";
import { fifoId, outgoingMessage, visibilitySeconds, type IncomingInfo } from "./messages.js";
import { LeaseLostError, decodeRecord, encodeRecord, type JobDelivery, type JobRecord } from "@connect/jobs";

/** Where a delivery came from. @internal */
export interface DeliverySource {
  queue: string;
  url: string;
  fifo: boolean;
  message: Message;
  info: IncomingInfo;
  /** Visibility timeout the receive asked for, in seconds. */
  leaseSeconds: number;
  /** When the receive answered (the lease started no later). */
  receivedAt: number;
}

/** Wrap a received message. @internal */
export function createDelivery(ctx: SqsContext, source: DeliverySource): JobDelivery {
  const { queue, url, fifo, message, info } = source;
  const raw = message.Body ?? "";
  const record = decodeRecord(raw);
  const jobId = record?.header.id;
  const attempt = info.base + info.receiveCount;
  const handle = message.ReceiptHandle ?? "";
  let leaseUntil = source.receivedAt + source.leaseSeconds * 1000;
  let latest: JobRecord | undefined = record;
  let ended = false;

  const changeVisibility = async (seconds: number, action: string): Promise<void> => {
    try {
      await ctx.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: seconds }));
    } catch (error) {
      if (isLeaseLost(error)) throw leaseLost(action, queue, jobId, error);
      throw storeUnavailable("ChangeMessageVisibility", queue, error);
    }
  };

  /**
   * Past our lease, a standard queue's DeleteMessage with a stale handle "succeeds" without deleting
   * (sqs.md §6), so the outcome would be reported while another worker runs the job. Ask SQS first:
   * a visibility change with a stale handle is refused; `MessageNotInflight` means nobody took the
   * message since, and this handle is still the latest.
   */
  const checkLease = async (action: string): Promise<void> => {
    if (ctx.now() < leaseUntil - 1_000) return;
    try {
      await changeVisibility(source.leaseSeconds, action);
      leaseUntil = ctx.now() + source.leaseSeconds * 1000;
    } catch (error) {
      if (error instanceof LeaseLostError && isNotInflight(error.cause)) return;
      throw error;
    }
  };

  const remove = async (action: string): Promise<void> => {
    try {
      await ctx.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle }));
    } catch (error) {
      if (isLeaseLost(error)) throw leaseLost(action, queue, jobId, error);
      throw storeUnavailable("DeleteMessage", queue, error);
    }
  };

  /** Send the job again as a new message (with `base` attempts already made), then delete this one. */
  const resend = async (action: string, body: string, base: number, runAt: number, suffix: string, group: JobRecord | undefined): Promise<void> => {
    await checkLease(action);
    const fifoIds = fifo ? { groupId: info.groupId ?? (group ? ctx.groupOf(group) : "default"), dedupId: fifoId(`${jobId ?? message.MessageId}#${suffix}`) } : undefined;
    await ctx.send(queue, url, outgoingMessage({ body, jobId, base, runAt, now: ctx.now(), fifo: fifoIds }), "SendMessage");
    await remove(action);
  };

  const guard = (action: string): void => {
    if (ended) throw new LeaseLostError(`job ${jobId ?? message.MessageId}: ${action} after the delivery already ended`, { queue, jobId });
  };
  const end = (action: string, run: () => Promise<void>): Promise<void> => {
    try {
      guard(action);
    } catch (error) {
      return Promise.reject(error);
    }
    ended = true;
    return run();
  };

  return {
    record,
    raw,
    attempt,
    deliveryId: message.MessageId ?? handle.slice(0, 16),
    async extend(ms) {
      guard("extend its lease");
      const seconds = visibilitySeconds(ms);
      // SQS caps a message's visibility at 12 h since its receive (sqs.md §6): past it the lease is lost.
      await changeVisibility(seconds, "extend its lease");
      leaseUntil = ctx.now() + seconds * 1000;
    },
    complete() {
      // The id stays in the dedupe store for its TTL, so enqueueing it again is a no-op.
      return end("complete", async () => {
        await checkLease("complete");
        await remove("complete");
      });
    },
    retry(runAt, next) {
      // The failed delivery counts: the new message starts from this attempt.
      return end("schedule a retry", () => resend("schedule a retry", encodeRecord(next), attempt, runAt, `a${attempt}`, next));
    },
    discard() {
      return end("discard", async () => {
        await checkLease("discard");
        await remove("discard");
        // Forget the id, as the SQLite backend deletes its row: a re-drive may enqueue it again.
        if (ctx.dedupe && jobId !== undefined) {
          const keys = dedupeKeys(queue, jobId);
          await Promise.all([ctx.dedupe.forget(keys.done), ctx.dedupe.forget(keys.claim)]).catch(() => undefined);
        }
      });
    },
    release() {
      // Not an attempt (the contract's shutdown path): the new message carries attempt - 1, so the
      // next delivery has this delivery's number again. A ChangeMessageVisibility(0) would keep the
      // message but bump its ApproximateReceiveCount, which reads as a lost attempt.
      return end("release", () => resend("release", latest ? encodeRecord(latest) : raw, attempt - 1, ctx.now(), `r${attempt}`, latest));
    },
    save(next) {
      // SQS cannot rewrite a message, and re-sending it while the handler runs would hand the job to
      // a second worker (the new message has no lease we can extend). So a checkpoint lives with
      // this delivery: a retry or release re-sends it, a crash loses it (the next attempt resumes
      // from the previous message's checkpoint, and idempotency keys make the repeated work safe).
      try {
        guard("save a checkpoint");
      } catch (error) {
        return Promise.reject(error);
      }
      latest = next;
      return Promise.resolve();
    },
  };
}
