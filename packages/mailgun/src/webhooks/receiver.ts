/**
 * The webhook endpoint: core's webhook receiver (verify → parse → dedupe → dispatch, 401
 * before any handler, 500 for redelivery when a handler throws, dead letters after repeated
 * failures) with Mailgun's verifier (signature, timestamp window, token replay) and
 * `event-data.id` dedupe.
 */
import {
  createWebhookReceiver,
  type DeadLetterSink,
  type DedupeStore,
  type Logger,
  type WebhookEventContext,
  type WebhookInbox,
  type WebhookReceiver,
  type WebhookVerifier,
} from "@connect/core";
import type { MailgunEvent } from "../schemas.js";
import { parseMailgunWebhook, type MailgunEventType } from "./events.js";
import { mailgunWebhookVerifier, type MailgunVerifierOptions } from "./verify.js";

/** A handler for Mailgun events; throw to have Mailgun deliver the event again. @public */
export type MailgunEventHandler = (event: MailgunEvent, ctx: WebhookEventContext) => void | Promise<void>;

/** Options of {@link createMailgunWebhookHandler}. @public */
export interface MailgunWebhookOptions extends Partial<MailgunVerifierOptions> {
  /** Handlers by event type (`delivered`, `failed`, …); an event whose type has none goes to `onEvent`. */
  handlers?: Partial<Record<MailgunEventType, MailgunEventHandler>> | undefined;
  /** Events without a typed handler, including types the SDK does not know. */
  onEvent?: MailgunEventHandler | undefined;
  /** Dedupe store keyed by `event-data.id` (in-memory by default). `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed id is remembered (ms). Default 24 h: Mailgun's ids are unique within a day, and its retries end after ~8 h. */
  dedupeTtlMs?: number | undefined;
  /** Receives events whose handler failed `maxAttempts` deliveries. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of a failing event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Tenant of an event (e.g. from a `user-variables` entry), recorded in its dead letter. */
  tenantId?: ((event: MailgunEvent) => string | undefined) | undefined;
  /** Structured logger (pino-compatible); lines are redacted. */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy. */
  baseUrl?: string | undefined;
  /** A custom verifier instead of the one built from `signingKey`. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned requests. Only for local development; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
}

/**
 * Create the Mailgun webhook endpoint: `handle(req)`, `fetch(request)`, `node(req, res)`.
 * @example
 * const webhook = createMailgunWebhookHandler({
 *   signingKey: process.env.MAILGUN_WEBHOOK_SIGNING_KEY!,
 *   handlers: { failed: (e) => (e.severity === "permanent" ? markBounced(e.recipient) : undefined) },
 * });
 * http.createServer((req, res) => webhook.node(req, res));
 * @public
 */
export function createMailgunWebhookHandler(options: MailgunWebhookOptions): WebhookReceiver {
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (!options.signingKey) throw new TypeError("createMailgunWebhookHandler needs signingKey (or verifier, or unsafeSkipSignatureCheck: true)");
    else verifier = mailgunWebhookVerifier({ signingKey: options.signingKey, toleranceSeconds: options.toleranceSeconds, tokenStore: options.tokenStore, now: options.now });
  }
  return createWebhookReceiver<MailgunEvent>({
    vendor: "mailgun",
    verifier,
    parse: (req) => parseMailgunWebhook(req.rawBody),
    eventId: (event) => event.id,
    eventType: (event) => event.event,
    handlers: options.handlers as Record<string, MailgunEventHandler> | undefined,
    onEvent: options.onEvent,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 24 * 3600_000,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    inbox: options.inbox,
    tenantId: options.tenantId,
    logger: options.logger,
    baseUrl: options.baseUrl,
    now: options.now,
  });
}
