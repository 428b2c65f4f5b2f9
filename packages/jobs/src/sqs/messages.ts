/**
 * How a job travels as an SQS message. The body is the job record (JSON); message attributes
 * carry what SQS cannot keep for us:
 *
 * - `connect.attempts` — deliveries made before this message existed. A retry or a release
 *   re-sends the job as a new message (SQS cannot update one), whose `ApproximateReceiveCount`
 *   starts again at 0; attempt = this base + the receive count, so a delivery whose worker died
 *   still counts.
 * - `connect.notBefore` — epoch ms before which the job must not run, when `DelaySeconds` cannot
 *   express the delay (over 900 s, or any per-message delay on FIFO, shared/vendors/sqs.md §4).
 */
import { createHash } from "node:crypto";
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";

/** Attempts made before this message. @internal */
export const ATTEMPTS_ATTRIBUTE = "connect.attempts";
/** Not-before time (epoch ms). @internal */
export const NOT_BEFORE_ATTRIBUTE = "connect.notBefore";
/** The job id, for operators reading the queue in the console. @internal */
export const JOB_ID_ATTRIBUTE = "connect.jobId";

/** Longest per-message delay on a standard queue (sqs.md §4). @internal */
export const MAX_DELAY_SECONDS = 900;
/** Longest visibility timeout (sqs.md §6). @internal */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** One message to send. @internal */
export interface OutgoingMessage {
  MessageBody: string;
  MessageAttributes: Record<string, MessageAttributeValue>;
  DelaySeconds?: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** A FIFO id (≤128 printable ASCII, sqs.md §4): the value itself when it fits, else its SHA-256. @internal */
export function fifoId(value: string): string {
  return /^[!-~]{1,128}$/.test(value) ? value : createHash("sha256").update(value, "utf8").digest("hex");
}

/** Build a message; `runAt` in the future becomes `DelaySeconds` where SQS allows it, else `connect.notBefore`. @internal */
export function outgoingMessage(input: {
  body: string;
  jobId: string | undefined;
  base: number;
  runAt: number;
  now: number;
  fifo: { groupId: string; dedupId: string } | undefined;
}): OutgoingMessage {
  const attributes: Record<string, MessageAttributeValue> = { [ATTEMPTS_ATTRIBUTE]: { DataType: "Number", StringValue: String(input.base) } };
  if (input.jobId !== undefined) attributes[JOB_ID_ATTRIBUTE] = { DataType: "String", StringValue: input.jobId };
  const out: OutgoingMessage = { MessageBody: input.body, MessageAttributes: attributes };
  const delayMs = input.runAt - input.now;
  if (delayMs > 0) {
    if (!input.fifo && delayMs <= MAX_DELAY_SECONDS * 1000) {
      // Whole seconds, rounded up, so the job never becomes visible before its time.
      out.DelaySeconds = Math.ceil(delayMs / 1000);
    } else {
      attributes[NOT_BEFORE_ATTRIBUTE] = { DataType: "Number", StringValue: String(Math.ceil(input.runAt)) };
      if (!input.fifo) out.DelaySeconds = MAX_DELAY_SECONDS;
    }
  }
  if (input.fifo) {
    out.MessageGroupId = input.fifo.groupId;
    out.MessageDeduplicationId = input.fifo.dedupId;
  }
  return out;
}

/** What the backend reads off a received message. @internal */
export interface IncomingInfo {
  base: number;
  notBefore: number | undefined;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  groupId: string | undefined;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Read the attempt base, not-before time and SQS's receive attributes (a foreign message has base 0). @internal */
export function incomingInfo(message: Message): IncomingInfo {
  const base = numberOf(message.MessageAttributes?.[ATTEMPTS_ATTRIBUTE]?.StringValue);
  return {
    base: base !== undefined && Number.isInteger(base) && base >= 0 ? base : 0,
    notBefore: numberOf(message.MessageAttributes?.[NOT_BEFORE_ATTRIBUTE]?.StringValue),
    receiveCount: Math.max(1, numberOf(message.Attributes?.ApproximateReceiveCount) ?? 1),
    firstReceiveAt: numberOf(message.Attributes?.ApproximateFirstReceiveTimestamp),
    groupId: message.Attributes?.MessageGroupId,
  };
}

/** Seconds for a visibility timeout of `ms`, whole and within SQS's range (at least 1 s, so a lease never ends at once). @internal */
export function visibilitySeconds(ms: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
}
