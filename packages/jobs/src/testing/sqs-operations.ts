/**
 * The SQS operations the fake implements, as `(body, origin) → result` functions over the store
 * (sqs.md §3–§7). Each throws an `SqsFault` for what SQS refuses; the dispatcher in
 * `sqs-fake.ts` turns results and faults into JSON 1.0 responses.
 */
import { fault, invalidParameter, missingParameter, SqsFault } from "./sqs-errors.js";
import { md5OfBody, md5OfMessageAttributes } from "./sqs-md5.js";
import type { SqsState } from "./sqs-state.js";
import type { StoredMessage, StoredQueue } from "./sqs-types.js";
import { checkBatch, checkMessage, checkQueueAttributes, checkQueueName, integerParameter, knownAttributeNames, READ_ONLY_ATTRIBUTES } from "./sqs-validate.js";
import { rawEntrySize, wireMessage } from "./sqs-wire.js";

type Body = Record<string, unknown>;
/** One operation: the parsed JSON body and the origin QueueUrls are minted on. @internal */
export type Operation = (body: Body, origin: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** What operations need from the fake beyond the store. @internal */
export interface OperationDeps {
  state: SqsState;
  now: () => number;
  accountId: string;
  /** The origin QueueUrls use (the `origin` option, else the request's). */
  originOf: (requestOrigin: string) => string;
  /** Park a receive until `attempt` returns messages or `waitSeconds` pass. */
  park: (queue: StoredQueue, waitSeconds: number, attempt: () => StoredMessage[]) => Promise<StoredMessage[]>;
  /** Something changed: parked receives should look again. */
  changed: () => void;
}

const FIFO_ATTEMPT_WINDOW_MS = 5 * 60_000;

/** Build the operation table. @internal */
export function createOperations(deps: OperationDeps): Record<string, Operation> {
  const { state, now, accountId } = deps;
  const urlOf = (origin: string, name: string): string => `${deps.originOf(origin)}/${accountId}/${name}`;
  // ReceiveRequestAttemptId → what that receive returned (FIFO retries get the same messages, sqs.md §6).
  const attempts = new Map<string, { queue: string; handles: string[]; expiresAt: number }>();

  function queueOf(body: Body): StoredQueue {
    const url = body.QueueUrl;
    if (typeof url !== "string" || url === "") throw missingParameter("QueueUrl");
    let parts: string[] = [];
    try {
      parts = new URL(url).pathname.split("/").filter(Boolean);
    } catch {
      // not a URL: no such queue
    }
    const queue = parts.length === 2 && parts[0] === accountId ? state.queues.get(decodeURIComponent(parts[1]!)) : undefined;
    if (!queue) throw fault("QueueDoesNotExist");
    return queue;
  }

  function sendResult(queue: StoredQueue, entry: Body): Record<string, unknown> {
    const checked = checkMessage(entry, queue);
    const sent = state.send(queue, checked);
    const md5Attributes = md5OfMessageAttributes(checked.attributes);
    const md5System = checked.traceHeader === undefined ? undefined : md5OfMessageAttributes({ AWSTraceHeader: { DataType: "String", StringValue: checked.traceHeader } });
    return {
      MessageId: sent.messageId,
      MD5OfMessageBody: md5OfBody(checked.body),
      ...(md5Attributes === undefined ? {} : { MD5OfMessageAttributes: md5Attributes }),
      ...(md5System === undefined ? {} : { MD5OfMessageSystemAttributes: md5System }),
      ...(sent.sequenceNumber === undefined ? {} : { SequenceNumber: sent.sequenceNumber }),
    };
  }

  /** Run each batch entry; a refused entry lands in `Failed`, the rest in `Successful` (sqs.md §4). */
  function perEntry(entries: Array<Body & { Id: string }>, run: (entry: Body) => Record<string, unknown>): Record<string, unknown> {
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...run(entry) });
      } catch (error) {
        if (!(error instanceof SqsFault)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.type, Message: error.message });
      }
    }
    deps.changed();
    return { Successful, Failed };
  }

  function attributesOf(queue: StoredQueue, requested: unknown): Record<string, string> {
    const names = Array.isArray(requested) ? (requested as unknown[]).map(String) : [];
    const known = knownAttributeNames(queue.fifo);
    for (const name of names) if (name !== "All" && !known.has(name)) throw fault("InvalidAttributeName", `Unknown Attribute ${name}.`);
    const counts = state.counts(queue);
    const all: Record<string, string> = {
      ...queue.attributes,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      // Queue timestamps are epoch seconds, message ones epoch ms (sqs.md §3, §6).
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
      QueueArn: queue.arn,
    };
    const wanted = names.includes("All") ? Object.keys(all) : names;
    return Object.fromEntries(wanted.filter((n) => all[n] !== undefined).map((n) => [n, all[n]!]));
  }

  function receive(queue: StoredQueue, body: Body, max: number, visibility: number): StoredMessage[] {
    const attemptId = body.ReceiveRequestAttemptId;
    if (!queue.fifo || typeof attemptId !== "string") return state.receive(queue, max, visibility);
    const key = `${queue.name}\u0000${attemptId}`;
    const previous = attempts.get(key);
    if (previous && previous.expiresAt > now()) {
      state.settle(queue);
      const same = previous.handles.map((h) => queue.messages.find((m) => m.handle === h));
      if (same.length > 0 && same.every((m) => m !== undefined)) {
        // A retried receive: same messages and handles, visibility reset (sqs.md §6).
        for (const m of same) {
          m!.phase = "inflight";
          m!.availableAt = now() + visibility * 1000;
        }
        return same as StoredMessage[];
      }
    }
    const taken = state.receive(queue, max, visibility);
    attempts.set(key, { queue: queue.name, handles: taken.map((m) => m.handle!), expiresAt: now() + FIFO_ATTEMPT_WINDOW_MS });
    return taken;
  }

  return {
    CreateQueue(body, origin) {
      const rawAttributes = (body.Attributes ?? {}) as Record<string, unknown>;
      const fifo = rawAttributes.FifoQueue === "true";
      const name = checkQueueName(body.QueueName, fifo);
      const attributes = checkQueueAttributes(rawAttributes, { fifo, creating: true, findByArn: state.byArn });
      state.create(name, fifo, attributes, (body.tags ?? {}) as Record<string, string>);
      return { QueueUrl: urlOf(origin, name) };
    },
    GetQueueUrl(body, origin) {
      if (typeof body.QueueName !== "string") throw missingParameter("QueueName");
      const owner = body.QueueOwnerAWSAccountId;
      if ((owner !== undefined && owner !== accountId) || !state.queues.has(body.QueueName)) throw fault("QueueDoesNotExist");
      return { QueueUrl: urlOf(origin, body.QueueName) };
    },
    GetQueueAttributes(body) {
      const attributes = attributesOf(queueOf(body), body.AttributeNames);
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },
    SetQueueAttributes(body) {
      const queue = queueOf(body);
      const input = (body.Attributes ?? {}) as Record<string, unknown>;
      for (const name of Object.keys(input)) if (READ_ONLY_ATTRIBUTES.includes(name)) throw fault("InvalidAttributeName", `Unknown Attribute ${name}.`);
      state.setAttributes(queue, input);
      deps.changed();
      return {};
    },
    ListQueues(body, origin) {
      const prefix = typeof body.QueueNamePrefix === "string" ? body.QueueNamePrefix : "";
      const maxResults = integerParameter(body.MaxResults, "MaxResults", 1, 1000);
      let names = [...state.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
      if (typeof body.NextToken === "string") {
        const after = Buffer.from(body.NextToken, "base64").toString("utf8");
        names = names.filter((n) => n > after);
      }
      const page = maxResults === undefined ? names : names.slice(0, maxResults);
      // A NextToken only when MaxResults was sent and more remain (sqs.md §3).
      const more = maxResults !== undefined && names.length > page.length;
      return {
        ...(page.length > 0 ? { QueueUrls: page.map((n) => urlOf(origin, n)) } : {}),
        ...(more ? { NextToken: Buffer.from(page.at(-1)!, "utf8").toString("base64") } : {}),
      };
    },
    ListDeadLetterSourceQueues(body, origin) {
      const target = queueOf(body);
      const sources = [...state.queues.values()].filter((q) => state.redriveOf(q)?.target === target).map((q) => urlOf(origin, q.name));
      return { queueUrls: sources }; // lower-case, as SQS answers it (sqs.md §3)
    },
    DeleteQueue(body) {
      state.queues.delete(queueOf(body).name);
      deps.changed();
      return {};
    },
    PurgeQueue(body) {
      state.purge(queueOf(body));
      deps.changed();
      return {};
    },
    TagQueue(body) {
      const queue = queueOf(body);
      Object.assign(queue.tags, (body.Tags ?? {}) as Record<string, string>);
      return {};
    },
    UntagQueue(body) {
      const queue = queueOf(body);
      for (const key of (body.TagKeys ?? []) as string[]) delete queue.tags[key];
      return {};
    },
    ListQueueTags(body) {
      const queue = queueOf(body);
      return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
    },
    SendMessage(body) {
      const result = sendResult(queueOf(body), body);
      deps.changed();
      return result;
    },
    SendMessageBatch(body) {
      const queue = queueOf(body);
      const entries = checkBatch(body.Entries);
      const total = entries.reduce((sum, entry) => sum + rawEntrySize(entry), 0);
      if (total > 1_048_576) throw fault("BatchRequestTooLong", `Batch requests cannot be longer than 1048576 bytes. You have sent ${total} bytes.`);
      return perEntry(entries, (entry) => sendResult(queue, entry));
    },
    async ReceiveMessage(body) {
      const queue = queueOf(body);
      const max = integerParameter(body.MaxNumberOfMessages, "MaxNumberOfMessages", 1, 10) ?? 1;
      const wait = integerParameter(body.WaitTimeSeconds, "WaitTimeSeconds", 0, 20) ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
      const visibility = integerParameter(body.VisibilityTimeout, "VisibilityTimeout", 0, 43_200) ?? Number(queue.attributes.VisibilityTimeout);
      const attemptId = body.ReceiveRequestAttemptId;
      if (attemptId !== undefined && (typeof attemptId !== "string" || !/^[!-~]{1,128}$/.test(attemptId))) {
        throw invalidParameter("ReceiveRequestAttemptId", attemptId, "ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
      }
      const attempt = (): StoredMessage[] => receive(queue, body, max, visibility);
      let taken = attempt();
      if (taken.length === 0 && wait > 0) taken = await deps.park(queue, wait, attempt);
      // A redrive during the receive may have filled a dead-letter queue someone is polling.
      deps.changed();
      if (taken.length === 0) return {};
      const request = { systemNames: [...((body.MessageSystemAttributeNames as unknown[]) ?? []), ...((body.AttributeNames as unknown[]) ?? [])], attributeNames: body.MessageAttributeNames, senderId: accountId };
      return { Messages: taken.map((m) => wireMessage(m, queue, request)) };
    },
    DeleteMessage(body) {
      const queue = queueOf(body);
      if (body.ReceiptHandle === undefined) throw missingParameter("ReceiptHandle");
      state.remove(queue, body.ReceiptHandle);
      deps.changed();
      return {};
    },
    DeleteMessageBatch(body) {
      const queue = queueOf(body);
      return perEntry(checkBatch(body.Entries), (entry) => {
        state.remove(queue, entry.ReceiptHandle);
        return {};
      });
    },
    ChangeMessageVisibility(body) {
      const queue = queueOf(body);
      if (body.ReceiptHandle === undefined) throw missingParameter("ReceiptHandle");
      const seconds = integerParameter(body.VisibilityTimeout, "VisibilityTimeout", 0, 43_200);
      if (seconds === undefined) throw missingParameter("VisibilityTimeout");
      state.changeVisibility(queue, body.ReceiptHandle, seconds);
      deps.changed();
      return {};
    },
    ChangeMessageVisibilityBatch(body) {
      const queue = queueOf(body);
      return perEntry(checkBatch(body.Entries), (entry) => {
        const seconds = integerParameter(entry.VisibilityTimeout, "VisibilityTimeout", 0, 43_200);
        if (seconds === undefined) throw missingParameter("VisibilityTimeout");
        state.changeVisibility(queue, entry.ReceiptHandle, seconds);
        return {};
      });
    },
    StartMessageMoveTask(body) {
      const rate = integerParameter(body.MaxNumberOfMessagesPerSecond, "MaxNumberOfMessagesPerSecond", 1, 500);
      const task = state.startMoveTask(body.SourceArn, body.DestinationArn, rate);
      deps.changed();
      return { TaskHandle: task.TaskHandle };
    },
    ListMessageMoveTasks(body) {
      if (typeof body.SourceArn !== "string") throw missingParameter("SourceArn");
      if (!state.byArn(body.SourceArn)) throw fault("ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.");
      const max = integerParameter(body.MaxResults, "MaxResults", 1, 10) ?? 1;
      // SQS lists a task's handle only while it runs; the fake's tasks have all finished.
      const results = state.moveTasks.filter((t) => t.SourceArn === body.SourceArn).slice(0, max);
      return { Results: results.map(({ TaskHandle: _handle, ...rest }) => rest) };
    },
  };
}
