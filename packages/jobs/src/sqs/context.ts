/** What the SQS backend's parts share: the client, the clock, queue URLs, FIFO ids and the sender. */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DedupeStore } from "@connect/core";
import { storeUnavailable } from "./errors.js";
import type { OutgoingMessage } from "./messages.js";
import type { JobRecord } from "@connect/jobs";

/** Shared state of one backend. @internal */
export interface SqsContext {
  readonly client: SQSClient;
  readonly now: () => number;
  readonly waitTimeSeconds: number;
  readonly dedupe: DedupeStore | undefined;
  readonly dedupeTtlMs: number;
  /** The QueueUrl of a job queue (resolved once, then cached). */
  queueUrl(queue: string): Promise<string>;
  /** The FIFO MessageGroupId of a job. */
  groupOf(record: JobRecord): string;
  /** Send one message; rejects with `StoreUnavailableError`. */
  send(queue: string, url: string, message: OutgoingMessage, action: string): Promise<void>;
}

/** FIFO queues' names end in `.fifo` (sqs.md §3), so the URL says which kind a queue is. @internal */
export function isFifoUrl(url: string): boolean {
  return url.replace(/\/+$/, "").endsWith(".fifo");
}

/** The dedupe store keys of a job id: the lasting mark, and the short claim held while the send is under way. @internal */
export function dedupeKeys(queue: string, jobId: string): { done: string; claim: string } {
  return { done: `jobs:sqs:${queue}:${jobId}`, claim: `jobs:sqs-claim:${queue}:${jobId}` };
}

/** A sender on the client, mapping failures to `StoreUnavailableError`. @internal */
export function createSender(client: SQSClient): SqsContext["send"] {
  return async (queue, url, message, action) => {
    try {
      await client.send(new SendMessageCommand({ QueueUrl: url, ...message }));
    } catch (error) {
      throw storeUnavailable(action, queue, error);
    }
  };
}
