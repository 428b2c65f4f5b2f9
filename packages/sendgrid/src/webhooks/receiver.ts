/**
 * The Event Webhook endpoint: core's webhook receiver (verify → parse → dedupe → dispatch,
 * 401 before any handler, 500 for redelivery when a handler throws, dead letters after
 * repeated failures) with SendGrid's verifier, per-event parsing and `sg_event_id` dedupe.
 */
import { createHash } from "node:crypto";
import {
  canonicalJson,
  createWebhookReceiver,
  noopLogger,
  type DeadLetterSink,
  type DedupeStore,
  type Logger,
  type WebhookEventContext,
  type WebhookReceiver,
  type WebhookVerifier,
  type WebhookInbox,
} from "@connect/core";
import { parseSendGridEvents, type InvalidSendGridEvent, type SendGridEvent, type SendGridEventOf, type SendGridEventType, type UnknownSendGridEvent } from "./events.js";
import { sendGridEventVerifier, type SendGridVerifierOptions } from "./verify.js";

/** A handler for one event type; throw to have SendGrid deliver the event again. @public */
export type SendGridEventHandler<T extends SendGridEventType> = (event: SendGridEventOf<T>, ctx: WebhookEventContext) => void | Promise<void>;
/** Handlers by event type. @public */
export type SendGridEventHandlers = { [T in SendGridEventType]?: SendGridEventHandler<T> };

/** Options of {@link createSendGridWebhookHandler}. @public */
export interface SendGridWebhookOptions extends Partial<SendGridVerifierOptions> {
  /** Handlers by event type; an event whose type has none goes to `onEvent`. */
  handlers?: SendGridEventHandlers | undefined;
  /** Events without a typed handler, including types the SDK does not know (passthrough). */
  onEvent?: ((event: SendGridEvent | UnknownSendGridEvent, ctx: WebhookEventContext) => void | Promise<void>) | undefined;
  /** Events that failed validation; the others of the batch are still dispatched. */
  onInvalidEvent?: ((invalid: InvalidSendGridEvent) => void | Promise<void>) | undefined;
  /** Dedupe store keyed by `sg_event_id` (in-memory by default; share one across workers). `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed id is remembered (ms). Default 25 h: SendGrid retries for up to 24 h. */
  dedupeTtlMs?: number | undefined;
  /** Receives invalid events, and events whose handler failed `maxAttempts` deliveries. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of a failing event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox (`@connect/jobs` `createWebhookInbox`) before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Tenant of an event (e.g. from a namespaced custom arg), recorded in its dead letter. */
  tenantId?: ((event: SendGridEvent | UnknownSendGridEvent) => string | undefined) | undefined;
  /** Structured logger (pino-compatible); lines are redacted. */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy. */
  baseUrl?: string | undefined;
  /** A custom verifier instead of the ECDSA one built from `publicKey`. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned requests. Only for local development against an unsigned webhook; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
}

/**
 * Create the SendGrid Event Webhook endpoint: `handle(req)`, `fetch(request)`, `node(req, res)`.
 * @example
 * const webhook = createSendGridWebhookHandler({
 *   publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY!,
 *   handlers: { bounce: (e) => markBounced(e.email, e.reason), delivered: (e) => markDelivered(e.sg_message_id) },
 * });
 * http.createServer((req, res) => webhook.node(req, res));
 * @public
 */
export function createSendGridWebhookHandler(options: SendGridWebhookOptions): WebhookReceiver {
  const logger = options.logger ?? noopLogger;
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (!options.publicKey) throw new TypeError("createSendGridWebhookHandler needs publicKey (or verifier, or unsafeSkipSignatureCheck: true)");
    else verifier = sendGridEventVerifier({ publicKey: options.publicKey, toleranceSeconds: options.toleranceSeconds, now: options.now, engine: options.engine });
  }

  async function reportInvalid(invalid: InvalidSendGridEvent): Promise<void> {
    logger.warn({ vendor: "sendgrid", index: invalid.index, eventId: invalid.eventId, issues: invalid.issues }, "sendgrid event failed validation; the rest of the batch is processed");
    // A redelivery would not fix it: record it and acknowledge. Stable id, so a redelivered batch replaces the letter.
    // canonicalJson, not JSON.stringify: a deeply nested entry must not overflow the stack and fail the whole payload.
    const digest = createHash("sha256").update(canonicalJson(invalid.raw)).digest("hex").slice(0, 32);
    const at = new Date((options.now ?? Date.now)()).toISOString();
    await options.deadLetters
      ?.put({
        id: `sendgrid:webhook:invalid:${digest}`,
        kind: "webhook",
        adapterId: "sendgrid",
        operation: "invalid_event",
        correlationId: invalid.eventId ?? digest,
        payload: invalid.raw,
        error: { name: "ValidationError", message: "event failed validation", issues: invalid.issues },
        attempts: 1,
        firstAttemptAt: at,
        lastAttemptAt: at,
      })
      .catch((error: unknown) => logger.error({ vendor: "sendgrid", error: String(error) }, "dead-letter sink failed"));
    await options.onInvalidEvent?.(invalid);
  }

  return createWebhookReceiver<SendGridEvent | UnknownSendGridEvent>({
    vendor: "sendgrid",
    verifier,
    parse: async (req) => {
      const parsed = parseSendGridEvents(req.rawBody);
      for (const invalid of parsed.invalid) await reportInvalid(invalid);
      return parsed.all;
    },
    eventId: (event) => event.sg_event_id,
    eventType: (event) => event.event,
    handlers: options.handlers as Record<string, (event: SendGridEvent | UnknownSendGridEvent, ctx: WebhookEventContext) => void | Promise<void>> | undefined,
    onEvent: options.onEvent,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 25 * 3600_000,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    inbox: options.inbox,
    tenantId: options.tenantId,
    logger: options.logger,
    baseUrl: options.baseUrl,
    now: options.now,
  });
}
