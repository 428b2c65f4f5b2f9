/**
 * The fake's queues and messages, and the lifecycle SQS gives them (sqs.md §6–§8):
 * `delayed → visible → inflight(deadline) → deleted | visible again | dead-letter queue`.
 * Every operation first "settles" the queue at the current time, so an injected clock works
 * without timers: a delay or visibility deadline that has passed simply counts as passed.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { fault, invalidParameter } from "./sqs-errors.js";
import { md5OfBody } from "./sqs-md5.js";
import type { StoredMessage, StoredQueue } from "./sqs-types.js";
import { checkQueueAttributes, defaultQueueAttributes, type CheckedMessage } from "./sqs-validate.js";

const DEDUPE_WINDOW_MS = 5 * 60_000;
const MAX_VISIBILITY_S = 43_200;

/** A message move task (StartMessageMoveTask), run to completion synchronously (sqs.md §9 allows it). @internal */
export interface MoveTask {
  TaskHandle: string;
  Status: "COMPLETED" | "FAILED";
  SourceArn: string;
  DestinationArn?: string | undefined;
  MaxNumberOfMessagesPerSecond?: number | undefined;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  FailureReason?: string | undefined;
  StartedTimestamp: number;
}

/** The store behind the fake. @internal */
export type SqsState = ReturnType<typeof createSqsState>;

/** Create an empty store. @internal */
export function createSqsState(options: { now: () => number; region: string; accountId: string }) {
  const { now, region, accountId } = options;
  const queues = new Map<string, StoredQueue>();
  // Every handle ever minted, so a garbage handle (ReceiptHandleIsInvalid) is told apart from a stale one.
  const handles = new Map<string, { queueArn: string; messageId: string }>();
  const moveTasks: MoveTask[] = [];
  let seq = 0;

  const arnOf = (name: string): string => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const byArn = (arn: string): StoredQueue | undefined => [...queues.values()].find((q) => q.arn === arn);

  function settle(queue: StoredQueue): void {
    const t = now();
    const retentionMs = Number(queue.attributes.MessageRetentionPeriod) * 1000;
    queue.messages = queue.messages.filter((m) => m.sentAt + retentionMs > t);
    for (const m of queue.messages) if (m.phase !== "ready" && m.availableAt <= t) m.phase = "ready";
    for (const [key, entry] of queue.dedupe) if (entry.expiresAt <= t) queue.dedupe.delete(key);
  }

  function create(name: string, fifo: boolean, attributes: Record<string, string>, tags: Record<string, string> = {}): StoredQueue {
    const existing = queues.get(name);
    if (existing) {
      // Same name and attributes ⇒ the existing URL; any difference ⇒ QueueNameExists (sqs.md §3).
      for (const [key, value] of Object.entries(attributes)) {
        if ((existing.attributes[key] ?? "") !== value) throw fault("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${key}`);
      }
      return existing;
    }
    const t = now();
    const queue: StoredQueue = {
      name,
      arn: arnOf(name),
      fifo,
      attributes: { ...defaultQueueAttributes(fifo), ...attributes },
      createdAt: t,
      lastModifiedAt: t,
      messages: [],
      dedupe: new Map(),
      lastPurgeAt: undefined,
      tags: { ...tags },
      sequence: 18_000_000_000_000_000_000n,
    };
    queues.set(name, queue);
    return queue;
  }

  function setAttributes(queue: StoredQueue, input: unknown): void {
    const attributes = checkQueueAttributes(input, { fifo: queue.fifo, creating: false, findByArn: byArn });
    for (const [key, value] of Object.entries(attributes)) {
      if (value === "" && key === "RedrivePolicy") delete queue.attributes[key];
      else queue.attributes[key] = value;
    }
    queue.lastModifiedAt = now();
  }

  function redriveOf(queue: StoredQueue): { target: StoredQueue; maxReceiveCount: number } | undefined {
    if (!queue.attributes.RedrivePolicy) return undefined;
    const policy = JSON.parse(queue.attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number };
    const target = byArn(policy.deadLetterTargetArn);
    return target ? { target, maxReceiveCount: policy.maxReceiveCount } : undefined;
  }

  function insert(queue: StoredQueue, m: Omit<StoredMessage, "seq" | "sequenceNumber">): StoredMessage {
    const stored: StoredMessage = { ...m, seq: ++seq, sequenceNumber: queue.fifo ? String((queue.sequence += 1n)) : undefined };
    queue.messages.push(stored);
    return stored;
  }

  /** SendMessage after validation: FIFO dedupe within 5 minutes, queue or message delay. */
  function send(queue: StoredQueue, checked: CheckedMessage): { messageId: string; sequenceNumber: string | undefined; duplicate: boolean } {
    settle(queue);
    const t = now();
    let dedupKey: string | undefined;
    let dedupId: string | undefined;
    if (queue.fifo) {
      // An explicit id wins over the body hash; attributes never count (sqs.md §3, §4).
      dedupId = checked.dedupId ?? createHash("sha256").update(checked.body, "utf8").digest("hex");
      dedupKey = queue.attributes.DeduplicationScope === "messageGroup" ? `${checked.groupId}\u0000${dedupId}` : dedupId;
      const seen = queue.dedupe.get(dedupKey);
      if (seen) return { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber, duplicate: true };
    }
    const delay = checked.delaySeconds ?? Number(queue.attributes.DelaySeconds);
    const stored = insert(queue, {
      messageId: randomUUID(),
      body: checked.body,
      md5OfBody: md5OfBody(checked.body),
      attributes: checked.attributes,
      traceHeader: checked.traceHeader,
      sentAt: t,
      phase: delay > 0 ? "delayed" : "ready",
      availableAt: t + delay * 1000,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receivedAt: undefined,
      handle: undefined,
      groupId: checked.groupId,
      dedupId,
      deadLetterSourceArn: undefined,
    });
    if (dedupKey !== undefined) queue.dedupe.set(dedupKey, { messageId: stored.messageId, sequenceNumber: stored.sequenceNumber!, expiresAt: t + DEDUPE_WINDOW_MS });
    return { messageId: stored.messageId, sequenceNumber: stored.sequenceNumber, duplicate: false };
  }

  /** Move a message to another queue as a fresh, visible message (redrive to a DLQ, or a move task back). */
  function move(from: StoredQueue, m: StoredMessage, to: StoredQueue, deadLetterSourceArn: string | undefined): void {
    from.messages = from.messages.filter((x) => x !== m);
    const t = now();
    insert(to, {
      ...m,
      // Standard keeps the enqueue time in a DLQ, FIFO resets it (sqs.md §7).
      sentAt: to.fifo ? t : m.sentAt,
      phase: "ready",
      availableAt: t,
      receiveCount: 0,
      firstReceiveAt: undefined,
      receivedAt: undefined,
      handle: undefined,
      deadLetterSourceArn,
    });
  }

  /**
   * Pick up to `max` receivable messages and put them in flight. A message whose receive would
   * push its count past the redrive policy's maxReceiveCount goes to the DLQ instead (sqs.md §7).
   * FIFO: in order per group, and no group with a message in flight (or an earlier one delayed).
   */
  function receive(queue: StoredQueue, max: number, visibilitySeconds: number): StoredMessage[] {
    settle(queue);
    const t = now();
    const redrive = redriveOf(queue);
    const taken: StoredMessage[] = [];
    const blocked = new Set<string>();
    if (queue.fifo) for (const m of queue.messages) if (m.phase === "inflight") blocked.add(m.groupId!);
    for (const m of [...queue.messages].sort((a, b) => a.seq - b.seq)) {
      if (taken.length >= max) break;
      if (queue.fifo && blocked.has(m.groupId!)) continue;
      if (m.phase !== "ready") {
        if (queue.fifo) blocked.add(m.groupId!);
        continue;
      }
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        move(queue, m, redrive.target, queue.arn);
        continue;
      }
      const handle = randomBytes(48).toString("base64");
      handles.set(handle, { queueArn: queue.arn, messageId: m.messageId });
      m.receiveCount += 1;
      m.firstReceiveAt ??= t;
      m.receivedAt = t;
      m.handle = handle;
      m.phase = "inflight";
      m.availableAt = t + visibilitySeconds * 1000;
      taken.push(m);
    }
    return taken;
  }

  function lookup(queue: StoredQueue, handle: unknown): { ref: { messageId: string }; message: StoredMessage | undefined } {
    const ref = typeof handle === "string" ? handles.get(handle) : undefined;
    if (!ref || ref.queueArn !== queue.arn) throw fault("ReceiptHandleIsInvalid", `The input receipt handle "${String(handle)}" is not a valid receipt handle.`);
    settle(queue);
    return { ref, message: queue.messages.find((m) => m.messageId === ref.messageId) };
  }

  /**
   * DeleteMessage (sqs.md §6): a handle of an already deleted message succeeds. Standard + stale
   * handle succeeds but deletes nothing (the fake picks the deterministic side of "may not
   * delete"); FIFO + stale or expired handle is refused.
   */
  function remove(queue: StoredQueue, handle: unknown): { deleted: boolean } {
    const { message } = lookup(queue, handle);
    if (!message) return { deleted: false };
    const current = message.handle === handle;
    if (queue.fifo && (!current || message.phase !== "inflight")) {
      throw invalidParameter("ReceiptHandle", String(handle), "The receipt handle has expired.");
    }
    if (!current) return { deleted: false };
    queue.messages = queue.messages.filter((m) => m !== message);
    return { deleted: true };
  }

  /** ChangeMessageVisibility (sqs.md §6): counts from the call; 12 h cap since the receive, no clamping. */
  function changeVisibility(queue: StoredQueue, handle: unknown, seconds: number): void {
    const { message } = lookup(queue, handle);
    if (!message || message.handle !== handle) {
      throw invalidParameter("ReceiptHandle", String(handle), "Message does not exist or is not available for visibility timeout change.");
    }
    if (message.phase !== "inflight") throw fault("MessageNotInflight");
    const t = now();
    if ((t - message.receivedAt!) / 1000 + seconds > MAX_VISIBILITY_S) {
      throw invalidParameter("VisibilityTimeout", String(seconds), `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_S} seconds]`);
    }
    message.availableAt = t + seconds * 1000;
    if (seconds === 0) message.phase = "ready";
  }

  function purge(queue: StoredQueue): void {
    const t = now();
    if (queue.lastPurgeAt !== undefined && t - queue.lastPurgeAt < 60_000) {
      throw fault("PurgeQueueInProgress", `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
    }
    queue.lastPurgeAt = t;
    queue.messages = [];
  }

  function counts(queue: StoredQueue): { visible: number; inflight: number; delayed: number } {
    settle(queue);
    const of = (phase: StoredMessage["phase"]): number => queue.messages.filter((m) => m.phase === phase).length;
    return { visible: of("ready"), inflight: of("inflight"), delayed: of("delayed") };
  }

  /** The earliest time a delayed or in-flight message of the queue becomes receivable. */
  function nextAvailableAt(queue: StoredQueue): number | undefined {
    let next: number | undefined;
    for (const m of queue.messages) if (m.phase !== "ready" && (next === undefined || m.availableAt < next)) next = m.availableAt;
    return next;
  }

  /** StartMessageMoveTask (sqs.md §7): the DLQ's messages go to `DestinationArn` or back to their source queues, at once. */
  function startMoveTask(sourceArn: unknown, destinationArn: unknown, rate: unknown): MoveTask {
    const source = typeof sourceArn === "string" ? byArn(sourceArn) : undefined;
    if (!source) throw fault("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
    const isDlq = [...queues.values()].some((q) => redriveOf(q)?.target === source);
    if (!isDlq) throw invalidParameter("SourceArn", sourceArn, "Source queue must be configured as a Dead Letter Queue.");
    const destination = destinationArn === undefined ? undefined : typeof destinationArn === "string" ? byArn(destinationArn) : undefined;
    if (destinationArn !== undefined && !destination) throw fault("ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't exist.");
    settle(source);
    const candidates = source.messages.filter((m) => m.phase === "ready");
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString("base64"),
      Status: "COMPLETED",
      SourceArn: source.arn,
      ...(destination ? { DestinationArn: destination.arn } : {}),
      ...(typeof rate === "number" ? { MaxNumberOfMessagesPerSecond: rate } : {}),
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: candidates.length,
      StartedTimestamp: now(),
    };
    for (const m of candidates) {
      const to = destination ?? (m.deadLetterSourceArn ? byArn(m.deadLetterSourceArn) : undefined);
      if (!to) {
        task.Status = "FAILED";
        task.FailureReason = "AWS.SimpleQueueService.NonExistentQueue";
        break;
      }
      move(source, m, to, undefined);
      task.ApproximateNumberOfMessagesMoved += 1;
    }
    moveTasks.unshift(task);
    return task;
  }

  return {
    queues,
    arnOf,
    byArn,
    settle,
    create,
    setAttributes,
    redriveOf,
    send,
    receive,
    remove,
    changeVisibility,
    purge,
    counts,
    nextAvailableAt,
    startMoveTask,
    moveTasks,
    reset(): void {
      queues.clear();
      handles.clear();
      moveTasks.length = 0;
    },
  };
}
