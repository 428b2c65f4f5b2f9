/**
 * What SQS refuses, checked the way SQS checks it: queue names and attribute ranges (sqs.md §3),
 * message bodies, attributes, sizes and FIFO parameters (§4), batch shapes (§4, §6).
 */
import { fault, invalidParameter, missingParameter } from "./sqs-errors.js";
import type { WireMessageAttribute } from "./sqs-md5.js";
import type { StoredQueue } from "./sqs-types.js";

const INTEGER_ATTRIBUTES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  MessageRetentionPeriod: [60, 1_209_600],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MaximumMessageSize: [1_024, 1_048_576],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};
const FREE_ATTRIBUTES = new Set(["Policy", "KmsMasterKeyId", "RedriveAllowPolicy"]);
const BOOLEAN_ATTRIBUTES = new Set(["SqsManagedSseEnabled"]);
const FIFO_ATTRIBUTES: Record<string, string[]> = {
  ContentBasedDeduplication: ["true", "false"],
  DeduplicationScope: ["queue", "messageGroup"],
  FifoThroughputLimit: ["perQueue", "perMessageGroupId"],
};
/** Attributes computed by the queue, readable but not settable. @internal */
export const READ_ONLY_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
];

/** The attributes a new queue reports before any are set (sqs.md §3 defaults). @internal */
export function defaultQueueAttributes(fifo: boolean): Record<string, string> {
  const base: Record<string, string> = {
    VisibilityTimeout: "30",
    MessageRetentionPeriod: "345600",
    DelaySeconds: "0",
    ReceiveMessageWaitTimeSeconds: "0",
    MaximumMessageSize: "1048576",
    SqsManagedSseEnabled: "true",
  };
  return fifo ? { ...base, FifoQueue: "true", ContentBasedDeduplication: "false", DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" } : base;
}

/** Every attribute name GetQueueAttributes knows for a queue of this type. @internal */
export function knownAttributeNames(fifo: boolean): Set<string> {
  return new Set([
    ...Object.keys(INTEGER_ATTRIBUTES),
    ...FREE_ATTRIBUTES,
    ...BOOLEAN_ATTRIBUTES,
    "RedrivePolicy",
    ...READ_ONLY_ATTRIBUTES,
    ...(fifo ? ["FifoQueue", ...Object.keys(FIFO_ATTRIBUTES)] : []),
  ]);
}

/** CreateQueue's name rule: ≤80 of `[A-Za-z0-9_-]`, FIFO queues end in `.fifo` (sqs.md §3). @internal */
export function checkQueueName(name: unknown, fifo: boolean): string {
  if (typeof name !== "string" || name.length === 0) throw missingParameter("QueueName");
  const stem = fifo ? name.replace(/\.fifo$/, "") : name;
  const ok = name.length <= 80 && /^[A-Za-z0-9_-]+$/.test(stem) && (!fifo || name.endsWith(".fifo"));
  if (!ok) {
    throw fault(
      "InvalidParameterValue",
      fifo
        ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
  return name;
}

/**
 * Check queue attributes for CreateQueue / SetQueueAttributes and return them as strings.
 * `findByArn` resolves a RedrivePolicy's target, which must exist and be of the same type.
 * @internal
 */
export function checkQueueAttributes(
  input: unknown,
  context: { fifo: boolean; creating: boolean; findByArn: (arn: string) => StoredQueue | undefined },
): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object") throw fault("InvalidAttributeValue", "Attributes must be a map of strings.");
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const value = typeof raw === "string" ? raw : String(raw);
    if (name === "FifoQueue") {
      if (!context.creating) throw fault("InvalidAttributeName", `Invalid attribute name FifoQueue: it can only be set at creation.`);
      if (value !== "true" && value !== "false") throw fault("InvalidAttributeValue", `Invalid value for the parameter FifoQueue.`);
      if (context.fifo) out[name] = value;
      continue;
    }
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(n) || n < range[0] || n > range[1]) throw fault("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      out[name] = String(n);
    } else if (name in FIFO_ATTRIBUTES) {
      if (!context.fifo) throw fault("InvalidAttributeName", `Unknown Attribute ${name}.`);
      if (!FIFO_ATTRIBUTES[name]!.includes(value)) throw fault("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      out[name] = value;
    } else if (BOOLEAN_ATTRIBUTES.has(name)) {
      if (value !== "true" && value !== "false") throw fault("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      out[name] = value;
    } else if (FREE_ATTRIBUTES.has(name)) {
      if (name === "RedriveAllowPolicy" && value !== "") checkJson(name, value);
      out[name] = value;
    } else if (name === "RedrivePolicy") {
      out[name] = value === "" ? "" : checkRedrivePolicy(value, context);
    } else {
      throw fault("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  if (out.FifoThroughputLimit === "perMessageGroupId" && out.DeduplicationScope === "queue") {
    throw fault("InvalidAttributeValue", "Invalid value for the parameter FifoThroughputLimit: perMessageGroupId needs DeduplicationScope messageGroup.");
  }
  return out;
}

function checkJson(name: string, value: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error
  }
  throw invalidParameter(name, value, "Invalid JSON.");
}

function checkRedrivePolicy(value: string, context: { fifo: boolean; findByArn: (arn: string) => StoredQueue | undefined }): string {
  const policy = checkJson("RedrivePolicy", value);
  const count = Number(policy.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw invalidParameter("RedrivePolicy", value, "Invalid value for maxReceiveCount: must be an integer from 1 to 1000.");
  const target = typeof policy.deadLetterTargetArn === "string" ? context.findByArn(policy.deadLetterTargetArn) : undefined;
  if (!target) throw invalidParameter("RedrivePolicy", value, "Dead letter target does not exist.");
  if (target.fifo !== context.fifo) throw invalidParameter("RedrivePolicy", value, "Dead-letter queue must be same type of queue as the source.");
  return JSON.stringify({ deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: count });
}

// #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF (sqs.md §4); lone surrogates fail the `u` match.
const ALLOWED_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const FIFO_ID = /^[!-~]{1,128}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A message to store, as checked. @internal */
export interface CheckedMessage {
  body: string;
  attributes: Record<string, WireMessageAttribute>;
  traceHeader: string | undefined;
  delaySeconds: number | undefined;
  groupId: string | undefined;
  dedupId: string | undefined;
  /** Body plus attributes, in bytes (what the size limit counts). */
  size: number;
}

function checkAttributes(input: unknown, system: boolean): { attributes: Record<string, WireMessageAttribute>; size: number } {
  const attributes: Record<string, WireMessageAttribute> = {};
  let size = 0;
  if (input === undefined || input === null) return { attributes, size };
  const entries = Object.entries(input as Record<string, Partial<WireMessageAttribute>>);
  if (entries.length > 10) throw fault("InvalidParameterValue", `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, value] of entries) {
    if (system) {
      if (name !== "AWSTraceHeader") throw invalidParameter("MessageSystemAttributes", name, "Only AWSTraceHeader is supported.");
    } else if (!ATTRIBUTE_NAME.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw fault("InvalidParameterValue", `Message (user) attribute name '${name}' is invalid.`);
    }
    const type = value?.DataType;
    if (typeof type !== "string" || !/^(String|Number|Binary)(\.[^\s]{1,250})?$/.test(type) || (system && type !== "String")) {
      throw fault("InvalidParameterValue", `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const base = type.split(".")[0]!;
    if (base === "Binary") {
      if (typeof value.BinaryValue !== "string" || value.StringValue !== undefined) throw fault("InvalidParameterValue", `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      const bytes = Buffer.from(value.BinaryValue, "base64");
      if (bytes.length === 0) throw fault("InvalidParameterValue", `The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'Binary'.`);
      attributes[name] = { DataType: type, BinaryValue: bytes.toString("base64") };
      size += Buffer.byteLength(name) + Buffer.byteLength(type) + bytes.length;
      continue;
    }
    if (typeof value.StringValue !== "string" || value.BinaryValue !== undefined) throw fault("InvalidParameterValue", `The message attribute '${name}' with type '${base}' must use field 'String'.`);
    if (value.StringValue.length === 0) throw fault("InvalidParameterValue", `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
    if (!ALLOWED_TEXT.test(value.StringValue)) throw fault("InvalidParameterValue", `The message attribute '${name}' contains characters outside the allowed set.`);
    if (base === "Number" && !NUMBER.test(value.StringValue)) throw fault("InvalidParameterValue", `Can't cast the value of message (user) attribute '${name}' to a number.`);
    attributes[name] = { DataType: type, StringValue: value.StringValue };
    size += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(value.StringValue);
  }
  return { attributes, size };
}

/** Check one SendMessage / batch entry against its queue (sqs.md §4). @internal */
export function checkMessage(entry: Record<string, unknown>, queue: StoredQueue): CheckedMessage {
  const body = entry.MessageBody;
  if (typeof body !== "string") throw missingParameter("MessageBody");
  if (body.length === 0) throw invalidParameter("MessageBody", "", "Message must be at least one character.");
  if (!ALLOWED_TEXT.test(body)) {
    throw fault("InvalidMessageContents", "Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.");
  }
  const user = checkAttributes(entry.MessageAttributes, false);
  const system = checkAttributes(entry.MessageSystemAttributes, true);
  const size = Buffer.byteLength(body) + user.size + system.size;
  const max = Number(queue.attributes.MaximumMessageSize);
  if (size > max) throw fault("InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);

  let delaySeconds: number | undefined;
  if (entry.DelaySeconds !== undefined && entry.DelaySeconds !== null) {
    // FIFO queues take a delay per queue only (sqs.md §4).
    if (queue.fifo) throw invalidParameter("DelaySeconds", entry.DelaySeconds, "The request include parameter that is not valid for this queue type.");
    const n = Number(entry.DelaySeconds);
    if (!Number.isInteger(n) || n < 0 || n > 900) throw invalidParameter("DelaySeconds", entry.DelaySeconds, "DelaySeconds must be >= 0 and <= 900.");
    delaySeconds = n;
  }
  const groupId = entry.MessageGroupId;
  const dedupId = entry.MessageDeduplicationId;
  if (groupId !== undefined && (typeof groupId !== "string" || !FIFO_ID.test(groupId))) {
    throw invalidParameter("MessageGroupId", groupId, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (dedupId !== undefined && (typeof dedupId !== "string" || !FIFO_ID.test(dedupId))) {
    throw invalidParameter("MessageDeduplicationId", dedupId, "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (queue.fifo) {
    if (groupId === undefined) throw missingParameter("MessageGroupId");
    if (dedupId === undefined && queue.attributes.ContentBasedDeduplication !== "true") {
      throw invalidParameter("MessageDeduplicationId", "", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
  } else if (dedupId !== undefined) {
    // Standard queues take MessageGroupId (fair queues) but not a deduplication id (sqs.md §4).
    throw invalidParameter("MessageDeduplicationId", dedupId, "The request include parameter that is not valid for this queue type.");
  }
  return {
    body,
    attributes: user.attributes,
    traceHeader: system.attributes.AWSTraceHeader?.StringValue,
    delaySeconds,
    groupId: groupId as string | undefined,
    dedupId: dedupId as string | undefined,
    size,
  };
}

/** Whole-call checks of a batch: 1–10 entries, valid and distinct Ids (sqs.md §4, §6). @internal */
export function checkBatch(entries: unknown): Array<Record<string, unknown> & { Id: string }> {
  if (!Array.isArray(entries) || entries.length === 0) throw fault("EmptyBatchRequest", "There should be at least one entry in the request.");
  if (entries.length > 10) throw fault("TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const entry of entries as Array<{ Id?: unknown }>) {
    if (typeof entry?.Id !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(entry.Id)) {
      throw fault("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
    }
    if (seen.has(entry.Id)) throw fault("BatchEntryIdsNotDistinct", `Id ${entry.Id} repeated.`);
    seen.add(entry.Id);
  }
  return entries as Array<Record<string, unknown> & { Id: string }>;
}

/** An integer request parameter in `[min, max]`, or undefined when absent. @internal */
export function integerParameter(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(name, value, `${name} must be an integer from ${min} to ${max}.`);
  return n;
}
