/** A webhook receiver for Textract completion notifications delivered by SNS over HTTPS. */
import { createWebhookReceiver, type DedupeStore, type DeadLetterSink, type Logger, type WebhookHandler, type WebhookInbox, type WebhookReceiver } from "@connect/core";
import { parseTextractNotification, type SnsVerifier, type TextractNotification } from "./sns.js";

/** A verified completion notification. @public */
export interface TextractNotificationEvent extends TextractNotification {
  /** SNS MessageId (dedupe key). */
  messageId: string;
}

/** Options of {@link createTextractNotificationReceiver}. @public */
export interface TextractNotificationReceiverOptions {
  /** Verifies the SNS signature before anything else. */
  verifier: SnsVerifier;
  /** Called for each verified notification (re-read the job status from Get: it may be PARTIAL_SUCCESS). */
  onNotification: WebhookHandler<TextractNotificationEvent>;
  /** Where a notification goes after repeated handler failures. */
  deadLetters?: DeadLetterSink | undefined;
  /** Public origin when behind a proxy. */
  baseUrl?: string | undefined;
  /** Skips MessageIds already processed (default: in memory; share a Redis store across workers); `false` disables it. */
  dedupe?: DedupeStore | false | undefined;
  /** Deliveries of one notification before it is dead-lettered (default: core's). */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox (`@connect/jobs` `createWebhookInbox`) before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Largest body accepted (bytes; SNS messages are ≤ 256 KiB). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Structured log lines (verification failures, handler errors). */
  logger?: Logger | undefined;
}

/**
 * Receive SNS-delivered Textract notifications: verify, parse, dedupe by MessageId, dispatch.
 * A message that fails verification reaches no handler (403 from core's receiver).
 * @public
 */
export function createTextractNotificationReceiver(options: TextractNotificationReceiverOptions): WebhookReceiver {
  return createWebhookReceiver<TextractNotificationEvent>({
    vendor: "textract",
    verifier: options.verifier,
    parse: (req) => {
      const { notification, envelope } = parseTextractNotification(req.rawBody);
      return { ...notification, messageId: envelope?.MessageId ?? notification.jobId };
    },
    eventId: (event) => event.messageId,
    eventType: (event) => event.status,
    onEvent: options.onNotification,
    tenantId: (event) => event.jobTag,
    ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.dedupe !== undefined ? { dedupe: options.dedupe } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.inbox ? { inbox: options.inbox } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    // SNS caps a message at 256 KiB; a much larger body is not SNS.
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
  });
}
