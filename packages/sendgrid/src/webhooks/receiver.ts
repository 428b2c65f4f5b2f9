/**
 * The Event Webhook receiver: raw body → verify (ECDSA) → parse each event → dedupe by
 * `sg_event_id` → dispatch to typed handlers. Nothing reaches a handler unless the
 * signature holds; a bad or failing event never loses the others.
 *
 * Core's createWebhookReceiver was not available when this was written; this is the same
 * pipeline specialised to SendGrid (see the package README, "Assumptions").
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { IntegrationError, noopLogger, redactValue, ValidationError, WebhookVerificationError, type DeadLetterSink, type FieldIssue, type Logger } from "@connect/core";
import {
  isKnownEventType,
  parseSendGridEvents,
  type InvalidSendGridEvent,
  type SendGridEvent,
  type SendGridEventOf,
  type SendGridEventType,
  type UnknownSendGridEvent,
} from "./events.js";
import { sendGridEventVerifier, type SendGridVerifierOptions, type WebhookRequest, type WebhookVerifier } from "./verify.js";

/** Remembers processed `sg_event_id`s; SendGrid delivers at least once and retries for 24 h. @public */
export interface EventDedupeStore {
  /** Claim an id: true when it is new (and is now held), false when seen or in progress. */
  claim(id: string, ttlMs: number): Promise<boolean>;
  /** Release a claim after a handler failed, so a redelivery is processed. */
  release(id: string): Promise<void>;
}

/** In-memory dedupe with a TTL and a size cap (oldest dropped first). @public */
export function memoryEventDedupe(options: { maxEntries?: number; now?: () => number } = {}): EventDedupeStore {
  const entries = new Map<string, number>();
  const max = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  return {
    async claim(id, ttlMs) {
      const expires = entries.get(id);
      if (expires !== undefined && expires > now()) return false;
      entries.delete(id);
      entries.set(id, now() + ttlMs);
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
      return true;
    },
    async release(id) {
      entries.delete(id);
    },
  };
}

/** A handler for one event type. @public */
export type SendGridEventHandler<T extends SendGridEventType> = (event: SendGridEventOf<T>) => void | Promise<void>;
/** Handlers by event type. @public */
export type SendGridEventHandlers = { [T in SendGridEventType]?: SendGridEventHandler<T> };

/** Options of {@link createSendGridWebhookHandler}. @public */
export interface SendGridWebhookOptions extends Partial<SendGridVerifierOptions> {
  /** Handlers by event type; an event whose type has no handler goes to `onEvent`. */
  handlers?: SendGridEventHandlers | undefined;
  /** Called for events without a typed handler, including unknown types (passthrough). */
  onEvent?: ((event: SendGridEvent | UnknownSendGridEvent) => void | Promise<void>) | undefined;
  /** Dedupe store; in-memory by default (use a shared store with several workers). */
  dedupe?: EventDedupeStore | undefined;
  /** How long a processed id is remembered (ms). Default 25 h (SendGrid retries for 24 h). */
  dedupeTtlMs?: number | undefined;
  /** Receives events that failed validation or whose handler threw. */
  deadLetters?: DeadLetterSink | undefined;
  /** Structured logger (pino-compatible). */
  logger?: Logger | undefined;
  /** A custom verifier instead of the ECDSA one built from `publicKey`. */
  verifier?: WebhookVerifier | undefined;
  /** Skip signature verification entirely. Only for local development; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
}

/** A handler failure for one event. @public */
export interface FailedSendGridEvent {
  eventId: string;
  event: string;
  error: Error;
}

/** What one delivery did. @public */
export interface SendGridWebhookSummary {
  /** Events in the batch. */
  received: number;
  /** Events handed to a handler that completed. */
  processed: number;
  /** Events skipped because their `sg_event_id` was already processed (or repeated in the batch). */
  duplicates: number;
  /** Valid events with no handler for their type. */
  unhandled: number;
  /** Events that failed validation (dead-lettered; a redelivery would not fix them). */
  invalid: InvalidSendGridEvent[];
  /** Events whose handler threw; the response is 500 so SendGrid redelivers them. */
  failed: FailedSendGridEvent[];
}

/** The HTTP answer for SendGrid plus what happened. @public */
export interface SendGridWebhookResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  summary: SendGridWebhookSummary;
}

/** A SendGrid Event Webhook endpoint. @public */
export interface SendGridWebhookHandler {
  /** Verify, parse, dedupe and dispatch one delivery. */
  handle(request: WebhookRequest): Promise<SendGridWebhookResult>;
  /** Fetch API adapter (Request → Response). */
  fetch(request: Request): Promise<Response>;
  /** node:http adapter; reads the raw body itself (or uses `req.rawBody` when a framework kept it). */
  node(req: IncomingMessage & { rawBody?: Buffer }, res: ServerResponse): Promise<void>;
}

const json = (status: number, body: unknown, summary: SendGridWebhookSummary): SendGridWebhookResult => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  summary,
});

const emptySummary = (): SendGridWebhookSummary => ({ received: 0, processed: 0, duplicates: 0, unhandled: 0, invalid: [], failed: [] });

/**
 * Create the Event Webhook endpoint.
 * @example
 * const webhook = createSendGridWebhookHandler({
 *   publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY!,
 *   handlers: { bounce: async (e) => markBounced(e.email, e.reason), delivered: async (e) => markDelivered(e.sg_message_id) },
 * });
 * http.createServer((req, res) => webhook.node(req, res));
 * @public
 */
export function createSendGridWebhookHandler(options: SendGridWebhookOptions): SendGridWebhookHandler {
  const logger = options.logger ?? noopLogger;
  const dedupe = options.dedupe ?? memoryEventDedupe();
  const ttl = options.dedupeTtlMs ?? 25 * 3600_000;
  let verifier: WebhookVerifier | undefined = options.verifier;
  if (!verifier && !options.unsafeSkipSignatureCheck) {
    if (!options.publicKey) throw new TypeError("createSendGridWebhookHandler needs publicKey (or verifier, or unsafeSkipSignatureCheck: true)");
    verifier = sendGridEventVerifier({ publicKey: options.publicKey, toleranceSeconds: options.toleranceSeconds, now: options.now, engine: options.engine });
  }

  async function deadLetter(id: string, operation: string, payload: unknown, error: Record<string, unknown>): Promise<void> {
    if (!options.deadLetters) return;
    const at = new Date().toISOString();
    await options.deadLetters
      .put({ id, kind: "webhook", adapterId: "sendgrid", operation, correlationId: id, payload: redactValue(payload), error, attempts: 1, firstAttemptAt: at, lastAttemptAt: at })
      .catch((e: unknown) => logger.error({ vendor: "sendgrid", error: String(e) }, "dead-letter sink failed"));
  }

  async function dispatch(event: SendGridEvent | UnknownSendGridEvent): Promise<"handled" | "unhandled"> {
    const typed = isKnownEventType(event.event) ? (options.handlers?.[event.event] as ((e: unknown) => void | Promise<void>) | undefined) : undefined;
    const handler = typed ?? options.onEvent;
    if (!handler) return "unhandled";
    await handler(event);
    return "handled";
  }

  async function handle(request: WebhookRequest): Promise<SendGridWebhookResult> {
    const summary = emptySummary();
    if (verifier) {
      try {
        await verifier.verify(request);
      } catch (error) {
        const reason = error instanceof WebhookVerificationError ? error.reason : "verifier_error";
        logger.warn({ vendor: "sendgrid", reason, error: IntegrationError.is(error) ? error.toJSON() : String(error) }, "sendgrid event webhook rejected");
        return json(401, { error: "signature verification failed", reason }, summary);
      }
    }
    let parsed;
    try {
      parsed = parseSendGridEvents(request.rawBody);
    } catch (error) {
      const issues: FieldIssue[] = error instanceof ValidationError ? error.issues : [];
      logger.warn({ vendor: "sendgrid", issues }, "sendgrid event webhook body is not an event array");
      return json(400, { error: "body is not a JSON array of events" }, summary);
    }
    summary.received = parsed.all.length + parsed.invalid.length;
    summary.invalid = parsed.invalid;
    for (const bad of parsed.invalid) {
      logger.warn({ vendor: "sendgrid", index: bad.index, eventId: bad.eventId, issues: bad.issues }, "sendgrid event failed validation; skipped");
      const hash = createHash("sha256").update(JSON.stringify(bad.raw) ?? "undefined").digest("hex").slice(0, 24);
      await deadLetter(`sendgrid:invalid:${bad.eventId ?? hash}`, "invalid-event", bad.raw, { name: "ValidationError", issues: bad.issues });
    }
    // Batch order is kept: SendGrid's events for one message arrive in order (processed → delivered).
    for (const event of parsed.all) {
      if (!(await dedupe.claim(event.sg_event_id, ttl))) {
        summary.duplicates += 1;
        continue;
      }
      try {
        const outcome = await dispatch(event);
        if (outcome === "handled") summary.processed += 1;
        else summary.unhandled += 1;
      } catch (error) {
        await dedupe.release(event.sg_event_id);
        const err = error instanceof Error ? error : new Error(String(error));
        summary.failed.push({ eventId: event.sg_event_id, event: event.event, error: err });
        logger.error({ vendor: "sendgrid", eventId: event.sg_event_id, event: event.event, error: err.message }, "sendgrid event handler failed");
        await deadLetter(`sendgrid:${event.sg_event_id}`, event.event, event, IntegrationError.is(error) ? error.toJSON() : { name: err.name, message: err.message });
      }
    }
    if (summary.failed.length > 0) {
      // Non-2xx makes SendGrid redeliver the batch; the events that succeeded are deduped then.
      return json(500, { error: "some events failed", failed: summary.failed.map((f) => f.eventId) }, summary);
    }
    return json(200, { received: summary.received, processed: summary.processed, duplicates: summary.duplicates, invalid: summary.invalid.length }, summary);
  }

  return {
    handle,
    async fetch(request) {
      const rawBody = Buffer.from(await request.arrayBuffer());
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => {
        headers[key.toLowerCase()] = value;
      });
      const result = await handle({ method: request.method, url: request.url, headers, rawBody });
      return new Response(result.body, { status: result.status, headers: result.headers });
    },
    async node(req, res) {
      let rawBody = req.rawBody;
      if (!rawBody) {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
        rawBody = Buffer.concat(chunks);
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
      const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
      const result = await handle({ method: req.method ?? "POST", url, headers, rawBody });
      res.writeHead(result.status, result.headers).end(result.body);
    },
  };
}
