/**
 * The Twilio messaging webhook endpoint: core's receiver (verify → parse → dedupe → dispatch;
 * nothing reaches a handler before the signature holds; a throwing handler answers 500 so Twilio
 * retries; dead letters after repeated failures) with Twilio's signature scheme, typed events,
 * dedupe on MessageSid + status, out-of-order status callbacks held back, keyword routing for
 * inbound messages and TwiML replies.
 */
import {
  createWebhookReceiver,
  fromFetchRequest,
  fromNodeRequest,
  IntegrationError,
  noopLogger,
  WebhookVerificationError,
  type DeadLetterSink,
  type DedupeStore,
  type Logger,
  type SecretSource,
  type WebhookEventContext,
  type WebhookInbox,
  type WebhookReceiver,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookVerifier,
} from "@connect/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createKeywordMatcher, normalizeKeyword } from "../keywords.js";
import { boundedMap, createMemoryStatusStore, isKnownStatus, isStatusAdvance, type MessageStatusStore, type OptOutStore } from "../status.js";
import { TWIML_CONTENT_TYPE, twimlResponse, type TwimlReply } from "../twiml.js";
import { parseTwilioWebhook, type InboundMessageEvent, type StatusCallbackEvent, type TwilioWebhookEvent, type TwilioWebhookKind } from "./events.js";
import { closeFormSlot, openFormSlot, twilioSignatureVerifier } from "./signature.js";

/** Handles a status callback; throw to have Twilio deliver it again. @public */
export type StatusCallbackHandler = (event: StatusCallbackEvent, ctx: WebhookEventContext) => void | Promise<void>;
/** Handles an inbound message; its return value is the TwiML reply (nothing: no reply). @public */
export type InboundMessageHandler = (event: InboundMessageEvent, ctx: WebhookEventContext) => TwimlReply | Promise<TwimlReply>;
/** A custom keyword: its handler, or its other spellings and its handler. @public */
export type KeywordRoute = InboundMessageHandler | { spellings: readonly string[]; handler: InboundMessageHandler };

/** Options of {@link createTwilioWebhookHandler}. @public */
export interface TwilioWebhookOptions {
  /**
   * The Auth Token of the account that owns the number (webhooks are signed with it even when
   * REST calls use an API key). Several during rotation (any may match), or a function reading
   * them from a secret store on each request.
   */
  authToken?: SecretSource | undefined;
  /**
   * Public origin (and path prefix) Twilio calls, when a proxy or load balancer sits in front
   * of this server: `https://hooks.example.com` turns `/twilio/status?x=1` into
   * `https://hooks.example.com/twilio/status?x=1` — the URL the signature covers.
   */
  publicBaseUrl?: string | undefined;
  /** Compute the full public URL of a request yourself (wins over `publicBaseUrl`). */
  publicUrl?: ((req: WebhookRequest) => string) | undefined;
  /** For `node()`: take scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host` (only behind a proxy you trust). */
  trustProxy?: boolean | undefined;
  /** What this endpoint receives; `auto` tells status callbacks and inbound messages apart. */
  kind?: TwilioWebhookKind | undefined;
  /** Status callbacks that move a message forward in its lifecycle. */
  onStatus?: StatusCallbackHandler | undefined;
  /** Status callbacks that arrived after a later status (acknowledged, not passed to `onStatus`). */
  onOutOfOrderStatus?: StatusCallbackHandler | undefined;
  /** Inbound messages without a more specific handler below. */
  onInbound?: InboundMessageHandler | undefined;
  /** STOP and the other opt-out words (Twilio already replied and blocks further messages). */
  onOptOut?: InboundMessageHandler | undefined;
  /** START / YES / UNSTOP. */
  onOptIn?: InboundMessageHandler | undefined;
  /** HELP / INFO. */
  onHelp?: InboundMessageHandler | undefined;
  /** Custom keywords by name, e.g. `{ CONFIRM: { spellings: ["CONFIRMED", "C"], handler } }`. */
  keywords?: Readonly<Record<string, KeywordRoute>> | undefined;
  /** Last status per message (in memory by default; share one across workers). */
  statusStore?: MessageStatusStore | undefined;
  /** Mirrored opt-outs: updated on STOP / START and on a 21610 delivery error. */
  optOuts?: OptOutStore | undefined;
  /** Dedupe store keyed by MessageSid + status (in memory by default); `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed callback is remembered (ms). Default 72 h. */
  dedupeTtlMs?: number | undefined;
  /** Receives events whose handler failed `maxAttempts` deliveries. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of a failing event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /**
   * Persist each verified callback to this durable inbox (`@connect/jobs` `createWebhookInbox`) before
   * answering, and run the handlers from its queue. Inbound messages are then answered with an empty
   * TwiML `<Response/>` at once; send replies with `messages.send` from the handler instead.
   */
  inbox?: WebhookInbox | undefined;
  /** Tenant of an event, recorded in its dead letter. */
  tenantId?: ((event: TwilioWebhookEvent) => string | undefined) | undefined;
  /** Structured logger (pino-compatible); lines are redacted. */
  logger?: Logger | undefined;
  /** Body size cap for `node()` and `fetch()`. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Clock, for tests. */
  now?: (() => number) | undefined;
  /** A custom verifier instead of the one built from `authToken`. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned requests. Only for local development; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
}

/** The Twilio webhook endpoint: `handle`, `fetch` and `node`, answering TwiML to inbound messages. @public */
export type TwilioWebhookHandler = WebhookReceiver;

const EMPTY_OK: WebhookResponse = { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "" };

/** `publicBaseUrl` + the request's path and query. @internal */
export function joinPublicUrl(base: string, requestUrl: string): string {
  let pathAndQuery = requestUrl;
  try {
    const url = new URL(requestUrl);
    pathAndQuery = `${url.pathname}${url.search}`;
  } catch {
    // Already a path.
  }
  return `${base.replace(/\/+$/, "")}${pathAndQuery.startsWith("/") ? "" : "/"}${pathAndQuery}`;
}

/**
 * Create the endpoint for status callbacks and inbound messages.
 * @example
 * const webhook = createTwilioWebhookHandler({
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   publicBaseUrl: "https://hooks.acme-lending.com",
 *   onStatus: (e) => db.messages.setStatus(e.messageSid, e.status, e.errorCode),
 *   keywords: { CONFIRM: (m) => { confirmInspection(m.from); return "Thanks, your inspection is confirmed."; } },
 *   onOptOut: (m) => db.contacts.optOut(m.from),
 * });
 * app.post("/twilio/*", (req, res) => webhook.node(req, res)); // before any body parser
 * @public
 */
export function createTwilioWebhookHandler(options: TwilioWebhookOptions): TwilioWebhookHandler {
  const logger = options.logger ?? noopLogger;
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (options.authToken === undefined) {
      throw new TypeError("createTwilioWebhookHandler needs authToken: the account's Auth Token signs webhooks, even when REST calls use an API key (or pass verifier, or unsafeSkipSignatureCheck: true)");
    } else verifier = twilioSignatureVerifier({ authToken: options.authToken });
  }
  const routes = new Map<string, { spellings: readonly string[]; handler: InboundMessageHandler }>();
  for (const [name, route] of Object.entries(options.keywords ?? {})) {
    routes.set(normalizeKeyword(name), typeof route === "function" ? { spellings: [], handler: route } : route);
  }
  const matcher = createKeywordMatcher(Object.fromEntries([...routes].map(([name, route]) => [name, route.spellings])));
  const statusStore = options.statusStore ?? createMemoryStatusStore();
  const optOuts = options.optOuts;
  const parsed = new WeakMap<WebhookRequest, TwilioWebhookEvent>();
  const replies = new WeakMap<WebhookRequest, string>();
  // A redelivered inbound message (Twilio timed out waiting for us) gets the reply again.
  const replyCache = boundedMap<string>(1_000);
  const chains = new Map<string, Promise<void>>();

  /** Run status handling for one message at a time in this process, in arrival order. */
  async function serially(key: string, work: () => Promise<void>): Promise<void> {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    chains.set(key, next);
    try {
      await next;
    } finally {
      if (chains.get(key) === next) chains.delete(key);
    }
  }

  async function onStatus(event: StatusCallbackEvent, ctx: WebhookEventContext): Promise<void> {
    await serially(event.messageSid, async () => {
      if (event.errorCode === 21610 && event.to !== undefined) await optOuts?.optOut(event.to);
      const status = event.status;
      if (!isKnownStatus(status)) {
        logger.warn({ vendor: "twilio", messageSid: event.messageSid, status }, "twilio status callback with a status the SDK does not know; passed through without ordering");
        await options.onStatus?.(event, ctx);
        return;
      }
      const current = await statusStore.get(event.messageSid);
      const withPrevious = { ...event, previousStatus: current };
      if (!isStatusAdvance(current, status)) {
        logger.info({ vendor: "twilio", messageSid: event.messageSid, status, current }, "twilio status callback arrived after a later status; not applied");
        await options.onOutOfOrderStatus?.(withPrevious, ctx);
        return;
      }
      await options.onStatus?.(withPrevious, ctx);
      // Recorded after the handler succeeded, so a failed handler sees the same status again on redelivery.
      await statusStore.advance(event.messageSid, status);
    });
  }

  async function onInbound(event: InboundMessageEvent, ctx: WebhookEventContext): Promise<void> {
    const keyword = event.keyword;
    if (keyword?.type === "opt-out") await optOuts?.optOut(event.from);
    if (keyword?.type === "opt-in") await optOuts?.optIn(event.from);
    const specific =
      keyword?.type === "custom"
        ? routes.get(keyword.keyword)?.handler
        : keyword?.type === "opt-out"
          ? options.onOptOut
          : keyword?.type === "opt-in"
            ? options.onOptIn
            : keyword?.type === "help"
              ? options.onHelp
              : undefined;
    const handler = specific ?? options.onInbound;
    const reply = handler ? await handler(event, ctx) : undefined;
    const xml = twimlResponse(reply);
    replies.set(ctx.request, xml);
    replyCache.set(`inbound:${event.messageSid}`, xml);
  }

  const receiver = createWebhookReceiver<TwilioWebhookEvent>({
    vendor: "twilio",
    verifier,
    parse: (req) => {
      try {
        const event = parseTwilioWebhook(req, { kind: options.kind, keywords: matcher });
        parsed.set(req, event);
        return event;
      } finally {
        // The form body parsed during verification served the parser too; handlers read their own.
        closeFormSlot(req);
      }
    },
    eventId: (event) => (event.type === "message.status" ? `status:${event.messageSid}:${event.status}` : `inbound:${event.messageSid}`),
    eventType: (event) => event.type,
    handlers: {
      "message.status": (event, ctx) => onStatus(event as StatusCallbackEvent, ctx),
      "message.inbound": (event, ctx) => onInbound(event as InboundMessageEvent, ctx),
    },
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    inbox: options.inbox,
    tenantId: options.tenantId,
    logger: options.logger,
    now: options.now,
  });

  function publicRequest(req: WebhookRequest): WebhookRequest {
    const url = options.publicUrl ? options.publicUrl(req) : options.publicBaseUrl ? joinPublicUrl(options.publicBaseUrl, req.url) : req.url;
    return url === req.url ? req : { ...req, url };
  }

  async function handle(incoming: WebhookRequest): Promise<WebhookResponse> {
    const req = publicRequest(incoming);
    openFormSlot(req);
    let result: WebhookResponse;
    try {
      result = await receiver.handle(req);
    } finally {
      closeFormSlot(req);
    }
    if (result.status !== 200) return result;
    const event = parsed.get(req);
    if (event?.type !== "message.inbound") return { ...EMPTY_OK, headers: { ...EMPTY_OK.headers } };
    const xml = replies.get(req) ?? replyCache.get(`inbound:${event.messageSid}`) ?? twimlResponse();
    return { status: 200, headers: { "content-type": TWIML_CONTENT_TYPE }, body: xml };
  }

  function unreadable(error: unknown): WebhookResponse {
    const json = (status: number, body: unknown): WebhookResponse => ({ status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) });
    if (error instanceof WebhookVerificationError) {
      logger.warn({ vendor: "twilio", reason: error.reason, error: error.message }, "webhook verification failed");
      return json(401, { error: "verification_failed" });
    }
    if (IntegrationError.is(error) && error.status === 413) return json(413, { error: "payload_too_large" });
    logger.warn({ vendor: "twilio", error: error instanceof Error ? error.message : String(error) }, "webhook request could not be read");
    return json(400, { error: "unreadable_request" });
  }

  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  return {
    handle,
    async fetch(request: Request): Promise<Response> {
      let result: WebhookResponse;
      try {
        result = await handle(await fromFetchRequest(request, { maxBytes }));
      } catch (error) {
        result = unreadable(error);
      }
      return new Response(result.body === "" ? null : result.body, { status: result.status, headers: result.headers });
    },
    async node(req: IncomingMessage, res: ServerResponse): Promise<void> {
      let result: WebhookResponse;
      try {
        result = await handle(await fromNodeRequest(req, { trustProxy: options.trustProxy, maxBytes }));
      } catch (error) {
        result = unreadable(error);
      }
      if (res.headersSent) return;
      res.writeHead(result.status, result.headers);
      res.end(result.body);
    },
  };
}
