/** Public shapes of the SQS fake, and the internal model its modules share. */
import type { RequestHandler } from "msw";
import type { SqsErrorName } from "./sqs-errors.js";
import type { WireMessageAttribute } from "./sqs-md5.js";

/** Options of {@link createSqsFake}. @public */
export interface SqsFakeOptions {
  /** Clock in epoch ms (default `Date.now`); after moving an injected clock, call `fake.wake()`. */
  now?: (() => number) | undefined;
  /** Region in ARNs (default `us-east-1`). */
  region?: string | undefined;
  /** Account id in QueueUrls and ARNs (default `000000000000`). */
  accountId?: string | undefined;
  /** Origin of the QueueUrls handed out (default: the origin of each request, so an ephemeral port just works). */
  origin?: string | undefined;
}

/** Where a message is in its life (sqs.md §8). @public */
export type SqsFakeMessageState = "delayed" | "visible" | "inflight";

/** A snapshot of one stored message, for assertions. @public */
export interface SqsFakeMessage {
  messageId: string;
  body: string;
  state: SqsFakeMessageState;
  receiveCount: number;
  /** Epoch ms of the send. */
  sentTimestamp: number;
  /** Epoch ms of the first receive, once received. */
  firstReceiveTimestamp: number | undefined;
  /** Epoch ms the message becomes (or became) receivable. */
  availableAt: number;
  messageAttributes: Record<string, WireMessageAttribute>;
  groupId: string | undefined;
  deduplicationId: string | undefined;
  sequenceNumber: string | undefined;
  /** ARN of the queue a redrive moved it from, for messages in a dead-letter queue. */
  deadLetterSourceArn: string | undefined;
}

/** Messages of a queue by state (what `ApproximateNumberOf*` report, without the lag). @public */
export interface SqsFakeCounts {
  visible: number;
  inflight: number;
  delayed: number;
}

/** One call the fake answered. @public */
export interface SqsFakeCall {
  /** Operation, e.g. `SendMessageBatch`. */
  operation: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** `ok`, the error's `__type` tail, or `ConnectionReset`. */
  outcome: string;
}

/** A scripted failure: an SQS error (sqs.md §2) by name, with an optional message, or a reset connection. @public */
export type SqsFakeFault = SqsErrorName | "ConnectionReset" | { type: SqsErrorName; message?: string | undefined };

/** The fake and its controls. @public */
export interface SqsFake {
  /** The msw handlers to serve with `serveHandlers`. */
  readonly handlers: RequestHandler[];
  /** Every call answered, in order. */
  readonly calls: SqsFakeCall[];
  /** Receives parked in a long poll right now. */
  readonly parked: number;
  /** The QueueUrl of a queue name on the fake's origin (the `origin` option, else the last request's). */
  queueUrl(name: string): string;
  /** Create a queue without a request (same rules as CreateQueue). */
  createQueue(name: string, attributes?: Record<string, string>): void;
  /** Names of the queues that exist. */
  queueNames(): string[];
  /** Snapshots of a queue's messages (by name or QueueUrl), oldest first. */
  messages(queue: string): SqsFakeMessage[];
  /** Counts of a queue's messages by state. */
  counts(queue: string): SqsFakeCounts;
  /** Fail the next `times` (default 1) calls of `operation` (or `*` for any). */
  failNext(operation: string, fault: SqsFakeFault, options?: { times?: number | undefined }): void;
  /** Drop scripted failures. */
  clearFaults(): void;
  /** Re-check parked long polls now (after moving an injected clock). */
  wake(): void;
  /** Forget every queue, message, call and fault; parked polls are answered empty. */
  reset(): void;
  /** Answer parked polls empty and stop the fake's timers. */
  close(): void;
}

/** A stored message. @internal */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, WireMessageAttribute>;
  traceHeader: string | undefined;
  sentAt: number;
  /** Insertion order across the fake, for deterministic receive order. */
  seq: number;
  phase: "delayed" | "ready" | "inflight";
  /** When a delayed or in-flight message becomes receivable. */
  availableAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** Time of the latest receive (the 12 h visibility cap counts from it). */
  receivedAt: number | undefined;
  /** The latest receipt handle; older ones are stale. */
  handle: string | undefined;
  groupId: string | undefined;
  dedupId: string | undefined;
  sequenceNumber: string | undefined;
  deadLetterSourceArn: string | undefined;
}

/** A stored queue. @internal */
export interface StoredQueue {
  name: string;
  arn: string;
  fifo: boolean;
  /** Settable attributes, defaults applied, as SQS reports them (strings). */
  attributes: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
  messages: StoredMessage[];
  /** FIFO dedup ids seen in the last 5 minutes. */
  dedupe: Map<string, { messageId: string; sequenceNumber: string; expiresAt: number }>;
  lastPurgeAt: number | undefined;
  tags: Record<string, string>;
  sequence: bigint;
}
