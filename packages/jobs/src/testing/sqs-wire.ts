/** How stored messages look on the wire: ReceiveMessage's message shape and its attribute filters (sqs.md §6). */
import { md5OfMessageAttributes, type WireMessageAttribute } from "./sqs-md5.js";
import type { StoredMessage, StoredQueue } from "./sqs-types.js";

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

/** The message attributes a ReceiveMessage asked for: `All`, `.*`, `prefix.*` or exact names. @internal */
export function selectMessageAttributes(attributes: Record<string, WireMessageAttribute>, requested: unknown): Record<string, WireMessageAttribute> {
  const patterns = Array.isArray(requested) ? requested.filter((r): r is string => typeof r === "string") : [];
  const wanted = (name: string): boolean =>
    patterns.some((p) => p === "All" || p === ".*" || p === name || (p.endsWith(".*") && name.startsWith(p.slice(0, -1))));
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted(name)));
}

/** One message of a ReceiveMessage answer; timestamps are epoch-ms strings (sqs.md §6). @internal */
export function wireMessage(
  m: StoredMessage,
  queue: StoredQueue,
  request: { systemNames: unknown; attributeNames: unknown; senderId: string },
): Record<string, unknown> {
  const system: Record<string, string | undefined> = {
    SenderId: request.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    SequenceNumber: queue.fifo ? m.sequenceNumber : undefined,
    MessageDeduplicationId: queue.fifo ? m.dedupId : undefined,
    MessageGroupId: m.groupId,
    AWSTraceHeader: m.traceHeader,
    DeadLetterQueueSourceArn: m.deadLetterSourceArn,
  };
  const names = Array.isArray(request.systemNames) ? (request.systemNames as unknown[]) : [];
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = system[name];
    if (value !== undefined && (names.includes("All") || names.includes(name))) attributes[name] = value;
  }
  const messageAttributes = selectMessageAttributes(m.attributes, request.attributeNames);
  // Computed over the attributes returned, not all stored ones (sqs.md §5).
  const md5 = md5OfMessageAttributes(messageAttributes);
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.handle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(md5 === undefined ? {} : { MD5OfMessageAttributes: md5, MessageAttributes: messageAttributes }),
  };
}

/** Body plus attribute bytes of a batch entry before validation, for BatchRequestTooLong. @internal */
export function rawEntrySize(entry: Record<string, unknown>): number {
  let size = typeof entry.MessageBody === "string" ? Buffer.byteLength(entry.MessageBody) : 0;
  for (const group of [entry.MessageAttributes, entry.MessageSystemAttributes]) {
    if (!group || typeof group !== "object") continue;
    for (const [name, value] of Object.entries(group as Record<string, Partial<WireMessageAttribute>>)) {
      size += Buffer.byteLength(name) + Buffer.byteLength(value?.DataType ?? "");
      if (typeof value?.StringValue === "string") size += Buffer.byteLength(value.StringValue);
      if (typeof value?.BinaryValue === "string") size += Buffer.from(value.BinaryValue, "base64").length;
    }
  }
  return size;
}
