/**
 * The Xero webhook endpoint (shared/vendors/xero.md §8). Xero wants, within 5 s: 200 with an
 * EMPTY body and no cookies when the signature is right, 401 when it is not — also for the
 * intent-to-receive probes (payloads without events, some deliberately mis-signed). So: core's
 * receiver verifies the raw body first (nothing unverified reaches a handler), parses, dedupes
 * on (tenant, category, resource, type, time) and dispatches; answers carry no body. Handlers
 * should be quick or the events should go to a durable `inbox` (handled from its queue after the
 * 200), so a slow handler never makes Xero count a failed delivery.
 */
import { createHash } from "node:crypto";
import {
  canonicalJson,
  createWebhookReceiver,
  fromFetchRequest,
  fromNodeRequest,
  IntegrationError,
  WebhookVerificationError,
  type DeadLetterSink,
  type DedupeStore,
  type SecretSource,
  type WebhookHandler,
  type WebhookInbox,
  type WebhookReceiver,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookVerifier,
  type Logger,
} from "@connect/core";
import { safeLogger } from "../logging.js";
import { parseXeroWebhook, type InvalidXeroEvent, type XeroWebhookEvent } from "./events.js";
import { xeroWebhookVerifier } from "./verify.js";

/** Options of {@link createXeroWebhookHandler}. @public */
export interface XeroWebhookOptions {
  /** The app's webhook key (several during a rotation, or a function reading it). */
  webhookKey?: SecretSource | undefined;
  /** Handlers by event category (`CONTACT`, `INVOICE` …). */
  handlers?: Partial<Record<string, WebhookHandler<XeroWebhookEvent>>> | undefined;
  /** Handler for categories without their own. */
  onEvent?: WebhookHandler<XeroWebhookEvent> | undefined;
  /** A durable inbox (`@connect/jobs`): events are stored before the 200 and handled from its queue. Recommended. */
  inbox?: WebhookInbox | undefined;
  /** Accept events of these tenants only (others are acknowledged and logged). */
  tenantIds?: readonly string[] | undefined;
  /** Dedupe store (in memory by default; share one across workers); `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long an event is remembered (ms). Default 72 h (Xero retries for 24 h). */
  dedupeTtlMs?: number | undefined;
  /** Where events whose handler keeps failing go. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of one event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /** Entries that could not be read; the rest of the payload is still handled. */
  onInvalidEvent?: ((invalid: InvalidXeroEvent) => void | Promise<void>) | undefined;
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy. */
  baseUrl?: string | undefined;
  /** Largest body accepted (bytes). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** A custom verifier instead of the x-xero-signature one. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned requests. Only for local development; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
  now?: (() => number) | undefined;
}

/** The endpoint: `handle(req)`, `fetch(request)`, `node(req, res)`. @public */
export type XeroWebhookHandler = WebhookReceiver;

/** Xero wants a bad signature answered 401 with no body (the 200 is already bare: see `ack`). */
function bare(response: WebhookResponse): WebhookResponse {
  return response.status === 401 ? { status: 401, headers: {}, body: "" } : response;
}

/**
 * Create the Xero webhook endpoint.
 * @example
 * const webhook = createXeroWebhookHandler({
 *   webhookKey: process.env.XERO_WEBHOOK_KEY!,
 *   inbox,
 *   handlers: { INVOICE: async (event) => syncInvoice(event.tenantId, event.resourceId) },
 * });
 * http.createServer((req, res) => webhook.node(req, res));
 * @public
 */
export function createXeroWebhookHandler(options: XeroWebhookOptions): XeroWebhookHandler {
  const logger = safeLogger(options.logger);
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (!options.webhookKey) throw new TypeError("createXeroWebhookHandler needs webhookKey (or verifier, or unsafeSkipSignatureCheck: true)");
    else verifier = xeroWebhookVerifier({ webhookKey: options.webhookKey });
  }
  const tenants = options.tenantIds ? new Set(options.tenantIds) : undefined;
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;

  async function reportInvalid(invalid: InvalidXeroEvent): Promise<void> {
    logger.warn({ vendor: "xero", index: invalid.index, issues: invalid.issues }, "xero webhook entry failed validation; the rest of the payload is processed");
    const digest = createHash("sha256").update(canonicalJson(invalid.raw)).digest("hex").slice(0, 32);
    const at = new Date((options.now ?? Date.now)()).toISOString();
    await options.deadLetters
      ?.put({
        id: `xero:webhook:invalid:${digest}`,
        kind: "webhook",
        adapterId: "xero",
        operation: "invalid_event",
        correlationId: digest,
        payload: invalid.raw,
        error: { name: "ValidationError", message: "webhook entry failed validation", issues: invalid.issues },
        attempts: 1,
        firstAttemptAt: at,
        lastAttemptAt: at,
      })
      .catch((error: unknown) => logger.error({ vendor: "xero", error: String(error) }, "dead-letter sink failed"));
    await options.onInvalidEvent?.(invalid);
  }

  const receiver = createWebhookReceiver<XeroWebhookEvent>({
    vendor: "xero",
    verifier,
    parse: async (req) => {
      const parsed = parseXeroWebhook(req.rawBody);
      for (const invalid of parsed.invalid) await reportInvalid(invalid);
      if (!tenants) return parsed.events;
      const accepted = parsed.events.filter((event) => tenants.has(event.tenantId));
      if (accepted.length < parsed.events.length) {
        logger.warn({ vendor: "xero", ignored: parsed.events.length - accepted.length }, "xero webhook events for tenants this endpoint does not serve were acknowledged and ignored");
      }
      return accepted;
    },
    eventId: (event) => event.id,
    eventType: (event) => event.eventCategory,
    handlers: options.handlers,
    onEvent: options.onEvent,
    inbox: options.inbox,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 72 * 3600_000,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    tenantId: (event) => event.tenantId,
    ack: () => ({ status: 200, headers: {}, body: "" }),
    logger: options.logger,
    baseUrl: options.baseUrl,
    maxBodyBytes: maxBytes,
    now: options.now,
  });

  async function handle(req: WebhookRequest): Promise<WebhookResponse> {
    return bare(await receiver.handle(req));
  }

  function unreadable(error: unknown): WebhookResponse {
    if (error instanceof WebhookVerificationError) return { status: 401, headers: {}, body: "" };
    if (IntegrationError.is(error) && error.status === 413) return { status: 413, headers: {}, body: "" };
    logger.warn({ vendor: "xero", error: error instanceof Error ? error.message : String(error) }, "xero webhook request could not be read");
    return { status: 400, headers: {}, body: "" };
  }

  return {
    handle,
    async fetch(request) {
      let result: WebhookResponse;
      try {
        result = await handle(await fromFetchRequest(request, { maxBytes }));
      } catch (error) {
        result = unreadable(error);
      }
      return new Response(result.body === "" ? null : result.body, { status: result.status, headers: result.headers });
    },
    async node(req, res) {
      let result: WebhookResponse;
      try {
        result = await handle(await fromNodeRequest(req, { baseUrl: options.baseUrl, maxBytes }));
      } catch (error) {
        result = unreadable(error);
      }
      if (res.headersSent) return;
      res.writeHead(result.status, result.headers);
      res.end(result.body);
    },
  };
}
