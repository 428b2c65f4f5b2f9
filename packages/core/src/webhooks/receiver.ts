/**
 * The webhook receiver: raw body → verify → parse → per event: dedupe → dispatch. A request
 * that fails verification reaches no handler (401); a payload that does not parse is a 400;
 * a handler that throws leaves its event unmarked and answers 500 so the vendor redelivers,
 * until the event has been delivered `maxAttempts` times and goes to the dead-letter sink.
 * One failing event never keeps the others of a batch from being dispatched.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { IntegrationError, WebhookVerificationError } from "../errors.js";
import type { DeadLetterSink } from "../dlq.js";
import { createMemoryDedupeStore, type DedupeStore } from "../idempotency/dedupe.js";
import { canonicalJson } from "../idempotency/key.js";
import { ExpiringLru } from "../idempotency/lru.js";
import { noopLogger, redactingLogger, type Logger } from "../telemetry.js";
import { fromFetchRequest, fromNodeRequest } from "./adapters.js";
import type { StoredWebhookEvent, StoredWebhookRequest, WebhookInbox } from "./inbox.js";
import type { WebhookRequest, WebhookVerifier } from "./types.js";

/** What the receiver answers. @public */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a handler learns about the event besides the event itself. @public */
export interface WebhookEventContext {
  /** Vendor id. */
  vendor: string;
  /** The event's id, when it has one. */
  eventId: string | undefined;
  /** The event's type. */
  eventType: string;
  /** Correlation id of this delivery, carried into logs and dead letters. */
  correlationId: string;
  /** How many times this event has been delivered to a failing handler before, plus one (1 = first). */
  delivery: number;
  /** The verified request. */
  request: WebhookRequest;
  /** From an inbox: an earlier run of this event's handler may have reached a vendor (pass it on as the calls' `resumed`). */
  resumed?: boolean | undefined;
}

/** Handles one event; throw to have the vendor deliver it again. @public */
export type WebhookHandler<E> = (event: E, ctx: WebhookEventContext) => void | Promise<void>;

/** Counts of one delivery. @public */
export interface WebhookSummary {
  /** Events in the payload. */
  received: number;
  /** Events a handler processed. */
  handled: number;
  /** Events skipped as already processed. */
  duplicates: number;
  /** Events with no handler for their type (acknowledged). */
  ignored: number;
  /** Events whose handler threw (the vendor is asked to redeliver). */
  failed: number;
  /** Events that failed `maxAttempts` times and were moved to the dead-letter sink (acknowledged). */
  deadLettered: number;
  /** With an inbox: events persisted to it, to be handled from its queue after this answer. */
  queued?: number | undefined;
}

/** Options of {@link createWebhookReceiver}. @public */
export interface WebhookReceiverOptions<E> {
  /** Vendor id, e.g. `sendgrid`. */
  vendor: string;
  /** Checks the signature before anything else. */
  verifier: WebhookVerifier;
  /** Turn the verified request into events; throw (a `ValidationError`) on a bad payload. */
  parse: (req: WebhookRequest) => E | E[] | Promise<E | E[]>;
  /** The event's unique id (dedupe, delivery counting); undefined when it has none. */
  eventId: (event: E) => string | undefined;
  /** The event's type, which selects the handler. */
  eventType: (event: E) => string;
  /** A handler per event type. */
  handlers?: Partial<Record<string, WebhookHandler<E>>> | undefined;
  /** Handler for every event without a type-specific handler. */
  onEvent?: WebhookHandler<E> | undefined;
  /** Skips event ids already processed (default: an in-memory store); `false` disables dedupe. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed event id is remembered (default 72 h). */
  dedupeTtlMs?: number | undefined;
  /** Where an event goes after `maxAttempts` failed deliveries; without one, it keeps failing (500) until the vendor gives up. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of one event before it is dead-lettered (default 5). */
  maxAttempts?: number | undefined;
  /** Tenant of an event, recorded in its dead letter. */
  tenantId?: ((event: E) => string | undefined) | undefined;
  /** The success response (default 200 with the summary as JSON); e.g. TwiML for Twilio. */
  ack?: ((summary: WebhookSummary) => Partial<WebhookResponse>) | undefined;
  /** Structured logger (no-op by default); lines are redacted. */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy (see `fromNodeRequest`). */
  baseUrl?: string | undefined;
  /** Body size cap for `node()` and `fetch()` (default 25 MiB). */
  maxBodyBytes?: number | undefined;
  /**
   * Persist verified events here before answering 2xx, and run the handlers from its queue (with
   * its retries and dead letters) instead of inline; `maxAttempts` and `deadLetters` then belong to
   * the queue. Answers 503 when the inbox cannot take the events, so the vendor redelivers.
   */
  inbox?: WebhookInbox | undefined;
  /** Clock, for tests (default `Date.now`). */
  now?: (() => number) | undefined;
}

/** A webhook endpoint usable from any framework. @public */
export interface WebhookReceiver {
  /** Process a request already read into a {@link WebhookRequest}. */
  handle(req: WebhookRequest): Promise<WebhookResponse>;
  /** Fetch API handler (Next.js route handlers, Hono, Bun, Deno, workers). */
  fetch(request: Request): Promise<Response>;
  /** Node `http` handler (also Express / Fastify raw routes). */
  node(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface FailureRecord {
  deliveries: number;
  firstAttemptAt: string;
}

type Outcome = "handled" | "duplicate" | "ignored" | "failed" | "deadLettered";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

function json(status: number, body: unknown): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

// Not stored with an event: they authenticate the delivery (already verified), and some are credentials.
const UNSTORED_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|signature|token|secret|api-?key/i;

function storedRequest(req: WebhookRequest): StoredWebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!UNSTORED_HEADER.test(name)) headers[name] = value;
  return { method: req.method, url: req.url, headers };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Create a webhook receiver.
 * @example
 * const receiver = createWebhookReceiver({
 *   vendor: "sendgrid", verifier, parse: (req) => JSON.parse(req.rawBody.toString("utf8")),
 *   eventId: (e) => e.sg_event_id, eventType: (e) => e.event,
 *   handlers: { bounce: async (e) => suppress(e.email) }, deadLetters,
 * });
 * http.createServer((req, res) => receiver.node(req, res));
 * @public
 */
export function createWebhookReceiver<E>(options: WebhookReceiverOptions<E>): WebhookReceiver {
  const { vendor } = options;
  const logger = options.logger ? redactingLogger(options.logger) : noopLogger;
  const dedupe = options.dedupe === false ? undefined : (options.dedupe ?? createMemoryDedupeStore({ now: options.now }));
  const dedupeTtlMs = options.dedupeTtlMs ?? 72 * 60 * 60 * 1000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const now = options.now ?? Date.now;
  const failures = new ExpiringLru<FailureRecord>({ maxEntries: 10_000, now: options.now });
  const inbox = options.inbox;

  function handlerFor(type: string): WebhookHandler<E> | undefined {
    const own = options.handlers && Object.prototype.hasOwnProperty.call(options.handlers, type) ? options.handlers[type] : undefined;
    return own ?? options.onEvent;
  }

  // Deliveries of the same event id running at the same time in this process share one run.
  const running = new Map<string, Promise<Outcome>>();

  async function processEvent(event: E, req: WebhookRequest): Promise<Outcome> {
    const eventId = safeEventId(event);
    if (eventId === undefined) return dispatch(event, req, undefined);
    const key = `${vendor}:${eventId}`;
    const joined = running.get(key);
    if (joined) {
      const outcome = await joined;
      return outcome === "failed" ? "failed" : "duplicate";
    }
    const run = (async (): Promise<Outcome> => {
      if (dedupe) {
        try {
          if (await dedupe.has(key)) {
            logger.debug({ vendor, eventId }, "duplicate webhook event skipped");
            return "duplicate";
          }
        } catch (error) {
          // At least once beats at most once: without the store, process the event.
          logger.error({ vendor, eventId, error: messageOf(error) }, "webhook dedupe store failed; processing the event anyway");
        }
      }
      return dispatch(event, req, eventId);
    })();
    running.set(key, run);
    try {
      return await run;
    } finally {
      running.delete(key);
    }
  }

  /** Mark an event processed, after its handler succeeded (so a crash mid-handler never loses it). */
  async function markProcessed(eventId: string | undefined): Promise<void> {
    if (!dedupe || eventId === undefined) return;
    await dedupe.seen(`${vendor}:${eventId}`, dedupeTtlMs).catch((error: unknown) => {
      logger.error({ vendor, eventId, error: messageOf(error) }, "webhook dedupe store failed to record a processed event");
    });
  }

  async function dispatch(event: E, req: WebhookRequest, eventId: string | undefined): Promise<Outcome> {
    const correlationId = randomUUID();
    // Events without an id are counted by content, so repeated failures still end in the dead-letter sink.
    const attemptKey = eventId !== undefined ? `id:${eventId}` : `sha256:${createHash("sha256").update(canonicalJson(event)).digest("hex")}`;
    let eventType = "unknown";
    try {
      eventType = String(options.eventType(event));
      const handler = handlerFor(eventType);
      if (!handler) {
        logger.debug({ vendor, eventId, eventType, correlationId }, "no handler for webhook event type; acknowledged");
        return "ignored";
      }
      const delivery = (failures.get(attemptKey)?.deliveries ?? 0) + 1;
      await handler(event, { vendor, eventId, eventType, correlationId, delivery, request: req });
      failures.delete(attemptKey);
      await markProcessed(eventId);
      return "handled";
    } catch (caught) {
      const error = IntegrationError.is(caught)
        ? caught
        : new IntegrationError(`${vendor} webhook handler for ${eventType} failed: ${messageOf(caught)}`, { vendor, operation: eventType, cause: caught });
      error.correlationId ??= correlationId;
      const nowIso = new Date(now()).toISOString();
      const record = failures.get(attemptKey) ?? { deliveries: 0, firstAttemptAt: nowIso };
      record.deliveries += 1;
      error.attempts = record.deliveries;
      const log = { vendor, eventId, eventType, correlationId, delivery: record.deliveries, maxAttempts, error: error.toJSON() };
      if (record.deliveries >= maxAttempts && options.deadLetters) {
        try {
          let tenantId: string | undefined;
          try {
            tenantId = options.tenantId?.(event);
          } catch {
            tenantId = undefined;
          }
          await options.deadLetters.put({
            id: `${vendor}:webhook:${attemptKey}`,
            kind: "webhook",
            adapterId: vendor,
            operation: eventType,
            correlationId,
            tenantId,
            payload: event,
            error: error.toJSON(),
            attempts: record.deliveries,
            firstAttemptAt: record.firstAttemptAt,
            lastAttemptAt: nowIso,
          });
          failures.delete(attemptKey);
          // Mark it processed, so a redelivery of a dead-lettered event is acknowledged, not handled again.
          await markProcessed(eventId);
          logger.error(log, "webhook event dead-lettered after repeated handler failures");
          return "deadLettered";
        } catch (dlqError) {
          logger.error({ ...log, dlqError: messageOf(dlqError) }, "webhook dead-letter sink failed; asking the vendor to redeliver");
        }
      } else {
        logger.error(log, "webhook handler failed; asking the vendor to redeliver");
      }
      failures.set(attemptKey, record, dedupeTtlMs);
      return "failed";
    }
  }

  async function handle(req: WebhookRequest): Promise<WebhookResponse> {
    try {
      await options.verifier.verify(req);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        logger.warn({ vendor, reason: error.reason, error: error.message, url: req.url }, "webhook verification failed");
        return json(401, { error: "verification_failed" });
      }
      logger.error({ vendor, error: messageOf(error) }, "webhook verifier failed unexpectedly");
      return json(500, { error: "verifier_error" });
    }
    let events: E[];
    try {
      const parsed = await options.parse(req);
      events = Array.isArray(parsed) ? parsed : [parsed];
    } catch (error) {
      logger.warn({ vendor, error: IntegrationError.is(error) ? error.toJSON() : messageOf(error) }, "webhook payload did not parse");
      return json(400, { error: "invalid_payload" });
    }
    const summary: WebhookSummary = { received: events.length, handled: 0, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 };
    if (inbox) {
      try {
        await enqueueAll(events, req, summary);
      } catch (error) {
        logger.error({ vendor, error: messageOf(error), events: events.length }, "webhook inbox could not store the events; asking the vendor to redeliver");
        return json(503, { error: "inbox_unavailable" });
      }
      return acknowledge(summary);
    }
    for (const event of events) {
      const outcome = await processEvent(event, req);
      if (outcome === "duplicate") summary.duplicates += 1;
      else summary[outcome] += 1;
    }
    if (summary.failed > 0) return json(500, { error: "handler_failed", ...summary });
    return acknowledge(summary);
  }

  function acknowledge(summary: WebhookSummary): WebhookResponse {
    const custom = options.ack?.(summary);
    const base = json(200, summary);
    return { status: custom?.status ?? base.status, headers: custom?.headers ?? base.headers, body: custom?.body ?? base.body };
  }

  function safeEventId(event: E): string | undefined {
    try {
      const id = options.eventId(event);
      return id === undefined || id === null || id === "" ? undefined : String(id);
    } catch (error) {
      logger.warn({ vendor, error: messageOf(error) }, "webhook eventId() threw; the event is processed without dedupe");
      return undefined;
    }
  }

  /** Persist the events that need handling (not duplicates, not without a handler) in one write. */
  async function enqueueAll(events: E[], req: WebhookRequest, summary: WebhookSummary): Promise<void> {
    const stored: StoredWebhookEvent[] = [];
    const receivedAt = new Date(now()).toISOString();
    const request = storedRequest(req);
    const keys = new Set<string>();
    for (const event of events) {
      const eventId = safeEventId(event);
      let eventType = "unknown";
      try {
        eventType = String(options.eventType(event));
      } catch (error) {
        logger.warn({ vendor, eventId, error: messageOf(error) }, "webhook eventType() threw; the event is stored as type unknown");
      }
      if (!handlerFor(eventType)) {
        summary.ignored += 1;
        continue;
      }
      const key = eventId !== undefined ? `${vendor}:${eventId}` : `${vendor}:sha256:${createHash("sha256").update(canonicalJson(event)).digest("hex")}`;
      if (keys.has(key) || (eventId !== undefined && dedupe && (await dedupe.has(key).catch(() => false)))) {
        summary.duplicates += 1;
        continue;
      }
      keys.add(key);
      let tenantId: string | undefined;
      try {
        tenantId = options.tenantId?.(event);
      } catch {
        tenantId = undefined;
      }
      stored.push({ vendor, eventId, key, eventType, tenantId, correlationId: randomUUID(), receivedAt, event: JSON.parse(JSON.stringify(event)) as unknown, request });
    }
    if (stored.length > 0) await inbox!.accept(stored);
    summary.queued = stored.length;
  }

  /** Run one stored event's handler (from the inbox's queue); throws so the queue retries it. */
  async function runStored(stored: StoredWebhookEvent, attempt: { attempt: number; correlationId: string; resumed?: boolean | undefined }): Promise<void> {
    const eventId = stored.eventId;
    if (eventId !== undefined && dedupe && (await dedupe.has(`${vendor}:${eventId}`))) {
      logger.debug({ vendor, eventId }, "stored webhook event already processed; skipped");
      return;
    }
    const handler = handlerFor(stored.eventType);
    if (!handler) return;
    const request: WebhookRequest = { ...stored.request, headers: { ...stored.request.headers }, rawBody: Buffer.alloc(0) };
    await handler(stored.event as E, { vendor, eventId, eventType: stored.eventType, correlationId: attempt.correlationId, delivery: attempt.attempt, request, resumed: attempt.resumed ?? false });
    await markProcessed(eventId);
  }

  function errorResponse(error: unknown): WebhookResponse {
    if (error instanceof WebhookVerificationError) {
      logger.warn({ vendor, reason: error.reason, error: error.message }, "webhook verification failed");
      return json(401, { error: "verification_failed" });
    }
    if (IntegrationError.is(error) && error.status === 413) return json(413, { error: "payload_too_large" });
    logger.warn({ vendor, error: messageOf(error) }, "webhook request could not be read");
    return json(400, { error: "unreadable_request" });
  }

  inbox?.attach(vendor, runStored);

  return {
    handle,
    async fetch(request) {
      let result: WebhookResponse;
      try {
        result = await handle(await fromFetchRequest(request, { maxBytes: options.maxBodyBytes }));
      } catch (error) {
        result = errorResponse(error);
      }
      return new Response(result.body, { status: result.status, headers: result.headers });
    },
    async node(req, res) {
      let result: WebhookResponse;
      try {
        result = await handle(await fromNodeRequest(req, { baseUrl: options.baseUrl, maxBytes: options.maxBodyBytes }));
      } catch (error) {
        result = errorResponse(error);
      }
      if (res.headersSent) return;
      res.writeHead(result.status, result.headers);
      res.end(result.body);
    },
  };
}
